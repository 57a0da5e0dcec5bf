package org.bridgeappliance.adapter.xmpp.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.ComponentStreamReader;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.jivesoftware.smack.packet.Message;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Stanza throughput of the XMPP adapter's hot path, per thread (= per core with -t 1): parse from a
 * component stream with Smack's providers, convert to the canonical model, convert back and
 * serialise. One operation is one stanza; each invocation handles {@link #BATCH} stanzas of a
 * realistic mix (plain, styled, reply with fallback, correction, reactions, chat state, OOB).
 *
 * <p>Run: {@code mvn -q -pl adapters/xmpp test-compile exec:exec -Pbench} (see BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StanzaPipelineBenchmark {
    static final int BATCH = 1000;
    static final String HEADER = "<stream:stream xmlns='jabber:component:accept' "
            + "xmlns:stream='http://etherx.jabber.org/streams' id='bench'>";
    static final String[] MIX = {
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<body>Hello there, how are you doing today?</body><active xmlns='http://jabber.org/protocol/chatstates'/>"
            + "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
            + "<origin-id xmlns='urn:xmpp:sid:0' id='ID'/></message>",
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<body>this is *important* and _urgent_, see `code`</body><origin-id xmlns='urn:xmpp:sid:0' id='ID'/></message>",
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<body>&gt; quoted line\nmy answer</body><reply to='bob%matrix.test@matrix.xmpp.test/bridge' id='m0' "
            + "xmlns='urn:xmpp:reply:0'/><fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>"
            + "<body start='0' end='14'/></fallback></message>",
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<body>fixed text</body><replace id='m0' xmlns='urn:xmpp:message-correct:0'/></message>",
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<reactions id='m0' xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction><reaction>🎉</reaction>"
            + "</reactions><store xmlns='urn:xmpp:hints'/></message>",
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='ID'>"
            + "<body>https://upload.xmpp.test/abc/photo.jpg</body><x xmlns='jabber:x:oob'>"
            + "<url>https://upload.xmpp.test/abc/photo.jpg</url></x><delay xmlns='urn:xmpp:delay' "
            + "stamp='2026-01-01T00:00:00Z'/></message>",
    };

    private byte[] stream;
    private List<Message> parsed;
    private List<RoomEvent> canonical;
    private final XmppInboundConverter in = new XmppInboundConverter();
    private final XmppOutboundConverter out = new XmppOutboundConverter();
    private final Portal dm = Portal.of("xmpp", "dm:alice@xmpp.test bob%matrix.test@matrix.xmpp.test");
    private final UserRef alice = UserRef.of("xmpp", "alice@xmpp.test");
    private Jid puppet;
    private Jid user;

    @Setup
    public void setUp() throws Exception {
        StringBuilder sb = new StringBuilder(HEADER);
        for (int i = 0; i < BATCH; i++) {
            sb.append(MIX[i % MIX.length].replace("'ID'", "'id" + i + "'"));
        }
        sb.append("</stream:stream>");
        stream = sb.toString().getBytes(StandardCharsets.UTF_8);
        parsed = parseAll();
        canonical = new ArrayList<>();
        for (Message m : parsed) {
            canonical.addAll(convertIn(m).events());
        }
        puppet = JidCreate.from("bob%matrix.test@matrix.xmpp.test/bridge");
        user = JidCreate.from("alice@xmpp.test");
    }

    private List<Message> parseAll() throws Exception {
        ComponentStreamReader reader = new ComponentStreamReader(new ByteArrayInputStream(stream), 1 << 20);
        reader.readHeader();
        List<Message> messages = new ArrayList<>(BATCH);
        while (true) {
            StreamElement e = reader.next();
            if (e instanceof StreamElement.StanzaReceived r) {
                messages.add((Message) r.stanza());
            } else if (e instanceof StreamElement.StreamClosed) {
                return messages;
            }
        }
    }

    private XmppInboundConverter.Result convertIn(Message m) {
        return in.convert(m, new XmppInboundConverter.Context(dm, alice, Profile.named("alice"),
                Optional.ofNullable(m.getStanzaId()).map(RemoteMessageId::of), Instant.EPOCH, false));
    }

    private String convertOutAndSerialize(RoomEvent event, int i) {
        Delivery d = new Delivery(BridgeMessageId.of("b" + i), RoomId.of("r"), dm, event,
                Optional.of(new Delivery.Reference(List.of(RemoteMessageId.of("m0")), alice)), Optional.empty(), 1);
        var target = new XmppOutboundConverter.Target(puppet, user, Message.Type.chat, "out" + i, Instant.EPOCH);
        return out.convert(d, target, Set.of("👍")).map(s -> s.toXML(ComponentConnection.OUTBOUND_ENVIRONMENT).toString())
                .orElse("");
    }

    /** Parse only: bytes from the component stream to Smack stanzas. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void parse(Blackhole bh) throws Exception {
        bh.consume(parseAll());
    }

    /** Parse and convert to canonical events (XMPP to the bridge). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void parseAndConvertInbound(Blackhole bh) throws Exception {
        for (Message m : parseAll()) {
            bh.consume(convertIn(m));
        }
    }

    /** Canonical event to serialised stanza (the bridge to XMPP). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void convertOutboundAndSerialize(Blackhole bh) {
        int n = canonical.size();
        for (int i = 0; i < BATCH; i++) {
            bh.consume(convertOutAndSerialize(canonical.get(i % n), i));
        }
    }

    /** The whole round: parse, convert in, convert out, serialise. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void roundTrip(Blackhole bh) throws Exception {
        int i = 0;
        for (Message m : parseAll()) {
            for (RoomEvent e : convertIn(m).events()) {
                bh.consume(convertOutAndSerialize(e, i++));
            }
        }
    }
}
