package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Prosody accepts an external component the way the XMPP adapter connects (XEP-0114: stream to the component's
 * domain, {@code <handshake>} = hex SHA-1 of stream id + secret), and routes stanzas both ways. Uses the
 * test-only component XMPP_PROBE_COMPONENT_DOMAIN so it never disturbs the appliance's own component connection.
 * A deliberately tiny raw-socket client: the real one is the XMPP adapter's.
 */
class XmppComponentSmokeIT {

    private static final int MAX_READ = 64 * 1024;
    private final Sandbox sandbox = Sandbox.get();

    @Test
    void componentCompletesHandshakeAndExchangesMessagesWithAUser() throws Exception {
        String domain = sandbox.get("XMPP_PROBE_COMPONENT_DOMAIN");
        try (XmppUsers users = new XmppUsers(sandbox)) {
            // The user logs in first: Smack's login-time service discovery would otherwise query this raw component,
            // which answers no IQs, and wait for its reply timeout.
            XmppUsers.User bob = users.registerAndLogin("bob");
            Socket s = connect();
            OutputStream out = s.getOutputStream();
            String resp = handshake(s, domain, sandbox.get("XMPP_PROBE_COMPONENT_SECRET"));
            assertFalse(resp.contains("stream:error"), "handshake rejected: " + resp);

            CompletableFuture<Message> got = new CompletableFuture<>();
            bob.connection().addAsyncStanzaListener(st -> got.complete((Message) st), MessageTypeFilter.CHAT);
            String puppet = "alice@" + domain;
            write(out, "<message from='" + puppet + "/bridge' to='" + bob.jid() + "' type='chat' id='c1'>"
                + "<body>hello from component</body></message>");
            Message m = got.get(10, TimeUnit.SECONDS);
            assertEquals("hello from component", m.getBody());
            assertEquals(JidCreate.from(puppet), m.getFrom().asBareJid());

            bob.connection().sendStanza(bob.connection().getStanzaFactory().buildMessageStanza()
                .to(JidCreate.from(puppet)).ofType(Message.Type.chat).setBody("reply from bob").build());
            String routed = readUntil(s, Pattern.compile("reply from bob"), Duration.ofSeconds(10));
            assertTrue(routed.contains("to='" + puppet + "'") || routed.contains("to=\"" + puppet + "\""),
                "message to the puppet not addressed to it: " + routed);
            write(out, "</stream:stream>");
            s.close();
        }
    }

    @Test
    void wrongSecretIsRejected() throws Exception {
        try (Socket s = connect()) {
            String resp = handshake(s, sandbox.get("XMPP_PROBE_COMPONENT_DOMAIN"),
                "not-the-secret");
            assertTrue(resp.contains("stream:error") && resp.contains("not-authorized"),
                "expected a not-authorized stream error, got: " + resp);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(sandbox.get("XMPP_HOST"), sandbox.getInt("XMPP_COMPONENT_PORT")), 5000);
        return s;
    }

    /** Opens the component stream and sends the handshake; returns the server's answer to it. */
    private static String handshake(Socket s, String domain, String secret) throws Exception {
        OutputStream out = s.getOutputStream();
        write(out, "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='"
            + domain + "'>");
        String header = readUntil(s, Pattern.compile("<stream:stream[^>]*>"), Duration.ofSeconds(10));
        Matcher id = Pattern.compile("<stream:stream[^>]*\\sid=['\"]([^'\"]+)['\"]").matcher(header);
        assertTrue(id.find(), "no stream id in " + header);
        byte[] digest = MessageDigest.getInstance("SHA-1").digest((id.group(1) + secret).getBytes(StandardCharsets.UTF_8));
        write(out, "<handshake>" + HexFormat.of().formatHex(digest) + "</handshake>");
        return readUntil(s, Pattern.compile("<handshake\\s*/>|<handshake>\\s*</handshake>|</stream:error>|<stream:error/>"),
            Duration.ofSeconds(10));
    }

    private static void write(OutputStream out, String xml) throws IOException {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads until {@code p} matches what was read (at most 64 KiB) or fails at the deadline. */
    private static String readUntil(Socket s, Pattern p, Duration timeout) throws IOException {
        InputStream in = s.getInputStream();
        Instant deadline = Instant.now().plus(timeout);
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!p.matcher(sb).find()) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0 || sb.length() > MAX_READ) {
                throw new AssertionError("did not read " + p + " within " + timeout + "; got: " + sb);
            }
            int n;
            try {
                s.setSoTimeout((int) Math.max(1, left));
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new AssertionError("stream closed before " + p + "; got: " + sb);
            }
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
