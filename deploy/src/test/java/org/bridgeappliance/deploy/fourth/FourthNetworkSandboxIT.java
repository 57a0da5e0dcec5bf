package org.bridgeappliance.deploy.fourth;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.bridgeappliance.it.bridge.BridgeFixture.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.it.bridge.BridgeFixture;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test-scope fourth network ({@link FourthNetworkAdapter}) bridged with XMPP and Matrix against the sandbox's
 * real Prosody and Synapse: a second appliance, booted in this JVM from the deploy module's composition root with
 * the fourth adapter as a test bean and its own H2 store in a temporary directory, maps an XMPP MUC, a Matrix room
 * and a fourth-network room through its admin API (HTTP), and messages arrive both ways: fourth network to the MUC
 * (from the fourth person's puppet occupant) and to the Matrix room (from their ghost), and what a Smack user and a
 * Matrix user say there to the fourth network.
 *
 * <p>The sandbox's own appliance keeps its component and application service; this one takes the test-only ones
 * the sandbox declares: the XMPP component {@code XMPP_PROBE_COMPONENT_DOMAIN} and the Matrix application service
 * registered at {@code MATRIX_PROBE_AS_URL} (bot {@code _probe_bot}, exclusive namespace {@code @_probe_.*}), so
 * its HTTP server listens on {@code MATRIX_PROBE_AS_PORT} and the fourth network is named {@code probe} here (its
 * people's Matrix ghosts are {@code @_probe_…}, the namespace that registration owns). Its Matrix ghosts are for
 * the fourth network only ({@code ghost-networks: [probe]}): the XMPP user's ghost namespace belongs to the
 * sandbox's appliance, so what the Smack user says is asserted where it is meant to arrive (the fourth network).
 */
class FourthNetworkSandboxIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NETWORK = "probe";
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "fourth-network-admin-password";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedServer startSecondAppliance(Sandbox sandbox, Path dataDir) {
        int port = sandbox.getInt("MATRIX_PROBE_AS_PORT");
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.host", "127.0.0.1");
        p.put("micronaut.server.port", port);
        p.put("bridge.data-dir", dataDir.toString());
        p.put("bridge.admin.initial-user", ADMIN);
        p.put("bridge.admin.initial-password", ADMIN_PASSWORD);
        p.put("bridge.admin.password-iterations", 1000);
        p.put("bridge.admin.insecure-password-iterations-for-tests", true);
        p.put("bridge.fourth.enabled", "true");
        p.put("bridge.fourth.network", NETWORK);
        p.put("bridge.xmpp.enabled", true);
        p.put("bridge.xmpp.host", "127.0.0.1");
        p.put("bridge.xmpp.port", sandbox.getInt("XMPP_COMPONENT_PORT"));
        p.put("bridge.xmpp.secret", sandbox.get("XMPP_PROBE_COMPONENT_SECRET"));
        p.put("bridge.xmpp.server-domain", sandbox.get("XMPP_DOMAIN"));
        p.put("bridge.xmpp.muc-domain", sandbox.get("XMPP_MUC_DOMAIN"));
        p.put("bridge.xmpp.component-domain", sandbox.get("XMPP_PROBE_COMPONENT_DOMAIN"));
        p.put("bridge.matrix.enabled", true);
        p.put("bridge.matrix.homeserver-url", sandbox.get("MATRIX_URL"));
        p.put("bridge.matrix.appservice-url", "http://127.0.0.1:" + port);
        p.put("bridge.matrix.server-name", sandbox.get("MATRIX_SERVER_NAME"));
        p.put("bridge.matrix.registration-file", sandbox.runDir().resolve("synapse/probe-registration.yaml").toString());
        p.put("bridge.matrix.as-token", sandbox.get("MATRIX_PROBE_AS_TOKEN"));
        p.put("bridge.matrix.hs-token", sandbox.get("MATRIX_PROBE_HS_TOKEN"));
        p.put("bridge.matrix.appservice-id", "sandbox-probe"); // the id of probe-registration.yaml
        p.put("bridge.matrix.bot-localpart", probeBotLocalpart(sandbox));
        p.put("bridge.matrix.ghost-networks", List.of(NETWORK));
        p.put("bridge.sip.enabled", false);
        return ApplicationContext.run(EmbeddedServer.class, p);
    }

    private static String probeBotLocalpart(Sandbox sandbox) {
        return sandbox.get("MATRIX_PROBE_USER_PREFIX") + "bot"; // sender_localpart of probe-registration.yaml
    }

    private HttpResponse<String> admin(EmbeddedServer server, String method, String path, Object body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first delivery to the fourth network of a message with {@code body}, waited for. */
    private static Delivery awaitDelivery(FourthNetworkAdapter fourth, String what, String body) {
        awaitCondition(what, () -> find(fourth, body).isPresent(), WAIT);
        return find(fourth, body).orElseThrow();
    }

    private static Optional<Delivery> find(FourthNetworkAdapter fourth, String body) {
        return fourth.deliveries.stream()
                .filter(d -> d.event() instanceof MessageEvent m && body.equals(m.body().plain())).findFirst();
    }

    private static void awaitConnected(ProtocolAdapter adapter) {
        awaitCondition(adapter.network() + " adapter CONNECTED (now " + adapter.state() + ")",
                () -> adapter.state().status() == AdapterState.Status.CONNECTED, WAIT);
    }

    @Test
    void messagesArriveBothWaysBetweenTheFourthNetworkXmppAndMatrix(@TempDir Path dataDir) throws Exception {
        Sandbox sandbox = Sandbox.get();
        try (BridgeFixture f = new BridgeFixture();
             EmbeddedServer server = startSecondAppliance(sandbox, dataDir)) {
            ApplicationContext ctx = server.getApplicationContext();
            FourthNetworkAdapter fourth = ctx.getBean(FourthNetworkAdapter.class);
            assertEquals(Network.of(NETWORK), fourth.network());
            for (ProtocolAdapter adapter : ctx.getBeansOfType(ProtocolAdapter.class)) {
                if (!adapter.network().value().equals("sip")) {
                    awaitConnected(adapter);
                }
            }

            // People on XMPP and Matrix, a MUC and a Matrix room; the second appliance's bot joins on invite.
            String carolName = "Carol " + Sandbox.uniqueName("c");
            Session carol = f.newMatrixUser("carol", carolName);
            XmppUsers.User alice = f.xmpp.registerAndLogin("alice");
            BlockingQueue<Message> aliceGets = new LinkedBlockingQueue<>();
            String bot = "@" + probeBotLocalpart(sandbox) + ":" + sandbox.get("MATRIX_SERVER_NAME");
            String since = f.matrix.currentSyncToken(carol);
            String matrixRoom = f.matrix.createRoom(carol, Map.of("preset", "private_chat", "name", "fourth e2e",
                    "invite", List.of(bot)));
            f.matrix.awaitTimelineEvent(carol, matrixRoom, since, e -> "m.room.member".equals(e.path("type").asText())
                    && bot.equals(e.path("state_key").asText())
                    && "join".equals(e.path("content").path("membership").asText()), WAIT);
            MultiUserChat muc = f.createMuc(alice, "alice-nick");
            muc.addMessageListener(aliceGets::add);

            // The mapping, through the second appliance's admin API; the fourth room is checked by its own syntax.
            String fourthRoom = "room:lobby-" + Sandbox.uniqueName("r").replaceAll("[^A-Za-z0-9-]", "");
            HttpResponse<String> refused = admin(server, "POST", "/api/v1/rooms", Map.of("name", "bad", "portals",
                    List.of(Map.of("network", NETWORK, "room", "lobby"))));
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("a fourth-network room is room:<name>"), refused.body());
            HttpResponse<String> created = admin(server, "POST", "/api/v1/rooms", Map.of("name", "fourth e2e",
                    "portals", List.of(Map.of("network", "xmpp", "room", muc.getRoom().toString()),
                            Map.of("network", "matrix", "room", matrixRoom),
                            Map.of("network", NETWORK, "room", fourthRoom))));
            assertEquals(201, created.statusCode(), created.body());
            JsonNode room = JSON.readTree(created.body());
            assertTrue(room.get("portals").findValuesAsText("room").contains(fourthRoom.toLowerCase()), room.toString());
            // The XMPP adapter joins mapped MUCs on its periodic room sync.
            awaitCondition("the second appliance joining " + muc.getRoom(), () -> muc.getOccupantsCount() >= 2, WAIT);

            // Fourth network -> XMPP MUC and Matrix room, through the real router and the H2 store.
            Portal origin = Portal.of(NETWORK, fourthRoom.toLowerCase());
            String bobName = "Bob " + Sandbox.uniqueName("b");
            String fromFourth = "hello from the fourth network " + Sandbox.uniqueName("m");
            MessageEvent hello = MessageEvent.text(new EventMeta(origin, UserRef.of(NETWORK, "user:bob"),
                    Profile.named(bobName), Optional.of(RemoteMessageId.of("f-" + Sandbox.uniqueName("id"))),
                    Instant.now()), fromFourth);
            assertEquals(Acceptance.QUEUED, fourth.context().ingress().submit(hello));
            Message onXmpp = awaitGroupchat(aliceGets, fromFourth);
            assertEquals(bobName, onXmpp.getFrom().getResourceOrEmpty().toString(), "from Bob's puppet occupant");
            JsonNode onMatrix = f.matrix.awaitTimelineEvent(carol, matrixRoom, since,
                    e -> "m.room.message".equals(e.path("type").asText())
                            && fromFourth.equals(e.path("content").path("body").asText()), WAIT);
            assertTrue(onMatrix.path("sender").asText().startsWith("@_" + NETWORK + "_"),
                    "sent by Bob's ghost: " + onMatrix);

            // XMPP MUC -> fourth network.
            String fromXmpp = "hello from xmpp " + Sandbox.uniqueName("m");
            alice.connection().sendStanza(BridgeFixture.groupchat(muc, fromXmpp));
            Delivery xmppDelivery = awaitDelivery(fourth, "'" + fromXmpp + "' reaching the fourth network", fromXmpp);
            assertEquals(origin, xmppDelivery.target());
            assertEquals(UserRef.of("xmpp", alice.jid().toString()), xmppDelivery.event().sender());

            // Matrix room -> fourth network.
            String fromMatrix = "hello from matrix " + Sandbox.uniqueName("m");
            f.matrix.sendText(carol, matrixRoom, fromMatrix);
            Delivery matrixDelivery = awaitDelivery(fourth, "'" + fromMatrix + "' reaching the fourth network",
                    fromMatrix);
            assertEquals(origin, matrixDelivery.target());
            assertEquals(UserRef.of("matrix", carol.userId()), matrixDelivery.event().sender());
        }
    }

    private static Message awaitGroupchat(BlockingQueue<Message> inbox, String body) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            Message m = inbox.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
            if (m != null && m.getType() == Message.Type.groupchat && body.equals(m.getBody())) {
                return m;
            }
        }
        throw new AssertionError("no groupchat message '" + body + "' in the MUC within " + WAIT);
    }
}
