package org.bridgeappliance.deploy.fourth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
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
import org.bridgeappliance.adapter.matrix.MatrixAdapter;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.OutboxEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fourth network added as nothing but a test-scope adapter bean ({@link FourthNetworkAdapter}) and a
 * {@code bridge.fourth} configuration block: the composition root's real router, H2 mapping store and admin API
 * take it beside XMPP and Matrix, its addresses are checked by its own syntax (the others' by theirs), and the
 * Matrix adapter gives its people a ghost namespace from the configuration alone. XMPP and Matrix stay disabled
 * here (no servers in a unit test), so what reaches them is shown as the router's pending deliveries.
 */
class FourthNetworkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedServer start(Path dataDir) {
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", -1);
        props.put("bridge.data-dir", dataDir.toString());
        props.put("bridge.admin.initial-user", "admin");
        props.put("bridge.admin.initial-password", "a-secret-admin-password");
        props.put("bridge.admin.password-iterations", 1000);
        props.put("bridge.admin.insecure-password-iterations-for-tests", true);
        props.put("bridge.fourth.enabled", "true");
        return ApplicationContext.run(EmbeddedServer.class, props);
    }

    private HttpResponse<String> send(EmbeddedServer server, String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.getURI().resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("admin:a-secret-admin-password".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFourthNetworkIsBridgedThroughTheRouterTheStoreAndTheAdminApi(@TempDir Path dataDir) throws Exception {
        try (EmbeddedServer server = start(dataDir)) {
            FourthNetworkAdapter fourth = server.getApplicationContext().getBean(FourthNetworkAdapter.class);

            // The admin API validates each portal with its own network's syntax.
            HttpResponse<String> bad = send(server, "POST", "/api/v1/rooms", Map.of("name", "x", "portals",
                    List.of(Map.of("network", "fourth", "room", "Lobby"))));
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals("portals[0].room", JSON.readTree(bad.body()).get("field").asText(), bad.body());
            assertTrue(bad.body().contains("a fourth-network room is room:<name>"), bad.body());
            HttpResponse<String> created = send(server, "POST", "/api/v1/rooms", Map.of("name", "Lobby", "portals",
                    List.of(Map.of("network", "xmpp", "room", "Lobby@Conference.XMPP.test"),
                            Map.of("network", "matrix", "room", "!lobby:matrix.test"),
                            Map.of("network", "fourth", "room", "room:Lobby"))));
            assertEquals(201, created.statusCode(), created.body());
            JsonNode room = JSON.readTree(created.body());
            assertEquals(List.of("lobby@conference.xmpp.test", "!lobby:matrix.test", "room:lobby"),
                    room.get("portals").findValuesAsText("room"), "each network's own normal form");
            HttpResponse<String> link = send(server, "POST", "/api/v1/identity-links", Map.of(
                    "first", Map.of("network", "fourth", "user", "user:Alice"),
                    "second", Map.of("network", "matrix", "user", "@alice:matrix.test")));
            assertEquals(201, link.statusCode(), link.body());
            assertEquals("user:alice", JSON.readTree(link.body()).at("/first/user").asText());

            // Its people get a ghost namespace on Matrix from the configuration alone.
            server.getApplicationContext().getBean(MatrixAdapter.class);
            assertTrue(server.getApplicationContext().getBean(MatrixConfig.class).getGhostNetworks().contains("fourth"));

            // A message from the fourth network goes through the real router into the H2 store, for XMPP and Matrix.
            Portal origin = Portal.of("fourth", "room:lobby");
            MessageEvent hello = MessageEvent.text(new EventMeta(origin, UserRef.of("fourth", "user:bob"),
                    Profile.named("Bob"), Optional.of(RemoteMessageId.of("f1")), Instant.now()), "hello from four");
            assertEquals(Acceptance.QUEUED, fourth.context().ingress().submit(hello));
            assertEquals(Acceptance.DUPLICATE, fourth.context().ingress().submit(hello), "the H2 id map knows it");
            BridgeStores stores = server.getApplicationContext().getBean(BridgeStores.class);
            OutboxEntry pending = stores.outbox().pending().stream()
                    .filter(e -> e.event().remoteId().equals(Optional.of(RemoteMessageId.of("f1"))))
                    .findFirst().orElseThrow();
            assertEquals("hello from four", ((MessageEvent) pending.event()).body().plain());
            assertEquals(Optional.of(pending.messageId()), stores.messages()
                    .findByAuthor(origin, UserRef.of("fourth", "user:bob"), RemoteMessageId.of("f1")));
            // The others' people are the fourth network's to puppet; the core knows them in their canonical form.
            assertEquals("user:bob", fourth.context().addressing().canonicalUser(FourthNetworkAdapter.NETWORK,
                    "User:Bob"));
            assertEquals("carol@xmpp.test", fourth.context().addressing().canonicalUser(
                    org.bridgeappliance.core.id.Network.of("xmpp"), "Carol@XMPP.test"));
        }
    }
}
