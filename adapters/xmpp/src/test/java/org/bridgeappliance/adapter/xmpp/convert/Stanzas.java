package org.bridgeappliance.adapter.xmpp.convert;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.ComponentStreamReader;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jxmpp.jid.impl.JidCreate;

/** Test helpers: XML literals through the real component parser, and the converters' fixtures. */
public final class Stanzas {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final Portal MUC = Portal.of("xmpp", "room@conference.xmpp.test");
    static final Portal DM = Portal.of("xmpp", "dm:alice@xmpp.test bob%matrix.test@matrix.xmpp.test");
    static final UserRef ALICE = UserRef.of("xmpp", "alice@xmpp.test");
    static final UserRef BOB = UserRef.of("matrix", "@bob:matrix.test");
    static final XmppInboundConverter IN = new XmppInboundConverter();
    static final XmppOutboundConverter OUT = new XmppOutboundConverter();

    private Stanzas() {
    }

    static <S extends Stanza> S parse(String xml) {
        return parse(xml, 1 << 20);
    }

    /** {@code xml} as the component stream reader parses it, with a stanza limit of {@code maxBytes}. */
    @SuppressWarnings("unchecked")
    public static <S extends Stanza> S parse(String xml, int maxBytes) {
        String stream = "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='t'>"
                + xml + "</stream:stream>";
        try {
            ComponentStreamReader reader = new ComponentStreamReader(
                    new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), maxBytes);
            reader.readHeader();
            StreamElement element = reader.next();
            if (element instanceof StreamElement.StanzaReceived received) {
                return (S) received.stanza();
            }
            throw new AssertionError("not a stanza: " + element);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String xml(Stanza stanza) {
        return stanza.toXML(ComponentConnection.OUTBOUND_ENVIRONMENT).toString();
    }

    static XmppInboundConverter.Result in(String xml, Portal portal, String remoteId) {
        Message m = parse(xml);
        return IN.convert(m, new XmppInboundConverter.Context(portal, ALICE, Profile.named("Alice"),
                Optional.ofNullable(remoteId).map(RemoteMessageId::of), NOW, portal == MUC));
    }

    /** {@code xml} as sent by the bridged MUC's own bare JID: the one source whose XEP-0425 moderations count. */
    static XmppInboundConverter.Result inFromRoom(String xml, String remoteId) {
        Message m = parse(xml);
        return IN.convert(m, new XmppInboundConverter.Context(MUC, ALICE, Profile.named("Alice"),
                Optional.ofNullable(remoteId).map(RemoteMessageId::of), NOW, true, id -> id, true));
    }

    static RoomEvent only(XmppInboundConverter.Result result) {
        if (result.events().size() != 1) {
            throw new AssertionError("expected one event, got " + result);
        }
        return result.events().get(0);
    }

    static EventMeta bobMeta() {
        return new EventMeta(Portal.of("matrix", "!r:matrix.test"), BOB, Profile.named("Bob"),
                Optional.of(RemoteMessageId.of("$ev")), NOW);
    }

    static Delivery delivery(RoomEvent event, Portal target, String reference, String replyTo) {
        return new Delivery(BridgeMessageId.of("b1"), RoomId.of("r1"), target, event,
                Optional.ofNullable(reference).map(r -> new Delivery.Reference(List.of(RemoteMessageId.of(r)), ALICE)),
                Optional.ofNullable(replyTo).map(r -> new Delivery.Reference(List.of(RemoteMessageId.of(r)), ALICE)), 1);
    }

    static String out(RoomEvent event, Message.Type type, String reference, String replyTo) {
        return out(event, type, reference, replyTo, Set.of());
    }

    static String out(RoomEvent event, Message.Type type, String reference, String replyTo, Set<String> reactions) {
        try {
            var target = new XmppOutboundConverter.Target(JidCreate.from("bob%matrix.test@matrix.xmpp.test/bridge"),
                    JidCreate.from(type == Message.Type.groupchat ? "room@conference.xmpp.test" : "alice@xmpp.test"),
                    type, "out-1", NOW);
            return OUT.convert(delivery(event, type == Message.Type.groupchat ? MUC : DM, reference, replyTo), target,
                    reactions).map(Stanzas::xml).orElse("");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
