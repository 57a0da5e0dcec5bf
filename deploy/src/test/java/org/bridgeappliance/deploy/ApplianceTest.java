package org.bridgeappliance.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The composition root as the fat jar runs it (deploy's application.yml, the real mapping module on
 * an H2 file, the router with every adapter bean), started in-process on a random port.
 */
class ApplianceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin";
    private static final String PASSWORD = "a-secret-admin-password";
    private static final String XMPP_SECRET = "component-secret-that-must-not-leak";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedServer start(Path dataDir) {
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", -1);
        props.put("bridge.data-dir", dataDir.toString());
        props.put("bridge.admin.initial-user", ADMIN);
        props.put("bridge.admin.initial-password", PASSWORD);
        props.put("bridge.admin.password-iterations", 1000);
        props.put("bridge.admin.insecure-password-iterations-for-tests", true);
        props.put("bridge.xmpp.secret", XMPP_SECRET);
        props.put("bridge.test-adapter.enabled", "true");
        return ApplicationContext.run(EmbeddedServer.class, props);
    }

    private HttpResponse<String> send(EmbeddedServer server, String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.getURI().resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((ADMIN + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        if (body == null) {
            if (!method.equals("GET")) {
                b.header("Content-Type", "application/json"); // mutating calls need it even without a body
            }
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean h2HousekeepingRuns() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("h2-housekeeping"));
    }

    @Test
    void startsOnAMissingDataDirectoryAndReportsHealthWithoutSecrets(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("not/yet/there");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (EmbeddedServer server = start(dataDir)) {
            assertTrue(Files.isDirectory(dataDir));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)));
            assertTrue(Files.exists(dataDir.resolve("bridge.mv.db")));

            HttpResponse<String> health = send(server, "GET", "/health", null);
            assertEquals(200, health.statusCode(), health.body());
            JsonNode h = JSON.readTree(health.body());
            assertEquals("UP", h.get("status").asText());
            assertEquals("UP", h.at("/details/database/status").asText(), health.body());
            assertEquals("DISABLED", h.at("/details/adapters/details/testnet/status").asText(), health.body());

            JsonNode adapters = JSON.readTree(send(server, "GET", "/api/v1/adapters", null).body());
            List<String> networks = adapters.get("adapters").findValuesAsText("network");
            assertTrue(networks.contains("testnet"), adapters.toString());
            for (JsonNode a : adapters.get("adapters")) {
                assertEquals("DISABLED", a.get("status").asText(), "nothing is enabled by default: " + a);
            }
            assertTrue(adapters.get("metrics").has("accepted"), adapters.toString());

            for (String body : List.of(health.body(), adapters.toString())) {
                assertFalse(body.contains(XMPP_SECRET) || body.contains(PASSWORD), body);
            }
            assertTrue(server.getApplicationContext().getBean(TestAdapter.class).started(), "the router started adapters");
            assertTrue(h2HousekeepingRuns(), "the H2 file database on the Hikari pool gets its housekeeping thread");
        } finally {
            root.detachAppender(logs);
        }
        assertFalse(h2HousekeepingRuns(), "the housekeeping thread stops with the database");
        assertFalse(logs.list.isEmpty());
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage();
            assertFalse(line.contains(XMPP_SECRET) || line.contains(PASSWORD), "secret in log: " + line);
        }
    }

    @Test
    void anonymousHealthShowsTheStatusButNoInternalDetails(@TempDir Path dataDir) throws Exception {
        try (EmbeddedServer server = start(dataDir)) {
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(server.getURI().resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, anonymous.statusCode(), anonymous.body());
            JsonNode h = JSON.readTree(anonymous.body());
            assertEquals("UP", h.get("status").asText(), anonymous.body());
            assertFalse(h.has("details"), "no adapter states, URLs or disk figures without credentials: " + anonymous.body());
            HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(server.getURI().resolve("/health/readiness"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertFalse(JSON.readTree(readiness.body()).has("details"), readiness.body());

            HttpResponse<String> admin = send(server, "GET", "/health", null);
            assertTrue(JSON.readTree(admin.body()).at("/details/diskSpace/details").has("free"), admin.body());

            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(server.getURI().resolve("/health"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (ADMIN + ":wrong-password").getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode(), "wrong credentials are refused, not silently anonymous: " + wrong.body());
        }
    }

    @Test
    void roomMappingSurvivesARestartOnTheSameDataDirectory(@TempDir Path dataDir) throws Exception {
        String id;
        try (EmbeddedServer server = start(dataDir)) {
            HttpResponse<String> created = send(server, "POST", "/api/v1/rooms", Map.of("name", "Persistent",
                    "portals", List.of(Map.of("network", "testnet", "room", "room-1"))));
            assertEquals(201, created.statusCode(), created.body());
            id = JSON.readTree(created.body()).get("id").asText();
            HttpResponse<String> updated = send(server, "PUT", "/api/v1/rooms/" + id, Map.of("name", "Persistent 2",
                    "enabled", false, "portals", List.of(Map.of("network", "testnet", "room", "room-2"))));
            assertEquals(200, updated.statusCode(), updated.body());
        }
        try (EmbeddedServer server = start(dataDir)) {
            HttpResponse<String> read = send(server, "GET", "/api/v1/rooms/" + id, null);
            assertEquals(200, read.statusCode(), read.body());
            JsonNode room = JSON.readTree(read.body());
            assertEquals("Persistent 2", room.get("name").asText());
            assertFalse(room.get("enabled").asBoolean());
            assertEquals("room-2", room.at("/portals/0/room").asText());
            List<String> actions = JSON.readTree(send(server, "GET", "/api/v1/audit", null).body()).get("items")
                    .findValuesAsText("action");
            assertTrue(actions.containsAll(List.of("room.create", "room.update")), actions.toString());

            assertEquals(204, send(server, "DELETE", "/api/v1/rooms/" + id, null).statusCode());
        }
        try (EmbeddedServer server = start(dataDir)) {
            assertEquals(404, send(server, "GET", "/api/v1/rooms/" + id, null).statusCode());
        }
    }

    @Test
    void shutdownStopsAdaptersWhileTheDatabaseIsStillOpen(@TempDir Path dataDir) {
        TestAdapter adapter;
        try (EmbeddedServer server = start(dataDir)) {
            adapter = server.getApplicationContext().getBean(TestAdapter.class);
            assertTrue(adapter.started());
        }
        assertTrue(adapter.storesAtStop.get().startsWith("usable"), adapter.storesAtStop.get());
    }
}
