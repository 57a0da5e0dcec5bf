package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.bridgeappliance.it.harness.RawComponent.handshake;
import static org.bridgeappliance.it.harness.RawComponent.readUntil;
import static org.bridgeappliance.it.harness.RawComponent.write;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
}
