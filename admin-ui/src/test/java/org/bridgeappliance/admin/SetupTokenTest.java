package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** First-run setup: the one-time token, and the configured first admin. */
class SetupTokenTest {

    @Test
    void setupTokenCreatesTheFirstAdminExactlyOnce(@TempDir Path dataDir) throws Exception {
        Path tokenFile = dataDir.resolve("setup-token");
        String token;
        try (EmbeddedServer server = TestServers.start(dataDir, Map.of())) {
            ApiClient anonymous = new ApiClient(server.getURI());
            assertTrue(Files.exists(tokenFile));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            token = Files.readString(tokenFile).strip();
            assertTrue(token.length() >= 40, token);
            assertTrue(anonymous.get("/api/v1/setup").json().get("required").asBoolean());
            assertEquals(401, anonymous.get("/api/v1/rooms").status(), "no default admin, no way in");

            ApiClient.Response wrong = anonymous.post("/api/v1/setup",
                    Map.of("token", token + "x", "username", "root", "password", "a-long-password"));
            assertEquals(403, wrong.status(), wrong.toString());
            ApiClient.Response weak = anonymous.post("/api/v1/setup",
                    Map.of("token", token, "username", "root", "password", "short"));
            assertEquals(400, weak.status());
            assertEquals("password", weak.json().get("field").asText());
            assertTrue(Files.exists(tokenFile), "a refused attempt does not spend the token");

            ApiClient.Response ok = anonymous.post("/api/v1/setup",
                    Map.of("token", token, "username", "root", "password", "a-long-password"));
            assertEquals(201, ok.status(), ok.toString());
            assertEquals("root", ok.json().get("username").asText());
            assertFalse(Files.exists(tokenFile), "the used token's file is deleted");
            assertFalse(anonymous.get("/api/v1/setup").json().get("required").asBoolean());

            ApiClient.Response again = anonymous.post("/api/v1/setup",
                    Map.of("token", token, "username", "evil", "password", "another-long-password"));
            assertEquals(409, again.status(), again.toString());
            assertEquals(401, new ApiClient(server.getURI()).basic("evil", "another-long-password")
                    .get("/api/v1/rooms").status());

            ApiClient root = new ApiClient(server.getURI()).basic("root", "a-long-password");
            assertEquals(200, root.get("/api/v1/rooms").status());
            assertTrue(root.get("/api/v1/audit").json().findValuesAsText("action").contains("admin.setup"));
        }
        // A restart with an admin in the database makes no new token.
        try (EmbeddedServer server = TestServers.start(dataDir, Map.of())) {
            assertFalse(Files.exists(tokenFile));
            assertFalse(new ApiClient(server.getURI()).get("/api/v1/setup").json().get("required").asBoolean());
        }
    }

    @Test
    void setupTokenIsNeverWrittenToTheLogOnlyWhereItsFileIs(@TempDir Path dataDir) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        String token;
        try (EmbeddedServer server = TestServers.start(dataDir, Map.of())) {
            token = Files.readString(dataDir.resolve("setup-token")).strip();
        } finally {
            root.detachAppender(logs);
        }
        boolean fileNamed = false;
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage();
            assertFalse(line.contains(token), "setup token in the log: " + line);
            fileNamed |= line.contains(dataDir.resolve("setup-token").toAbsolutePath().toString());
        }
        assertTrue(fileNamed, "the log says where the token file is");
    }

    @Test
    void configuredInitialAdminReplacesTheToken(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of())) {
            assertFalse(Files.exists(dataDir.resolve("setup-token")));
            assertFalse(new ApiClient(server.getURI()).get("/api/v1/setup").json().get("required").asBoolean());
            ApiClient.Response audit = new ApiClient(server.getURI()).basic(TestServers.ADMIN, TestServers.PASSWORD)
                    .get("/api/v1/audit");
            assertEquals("configuration", audit.json().get("items").get(0).get("actor").asText());
        }
    }

    @Test
    void aShortConfiguredPasswordStopsTheStart(@TempDir Path dataDir) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> TestServers.start(dataDir,
                Map.of("bridge.admin.initial-user", "admin", "bridge.admin.initial-password", "short")));
        assertTrue(rootMessage(e).contains("at least 12"), rootMessage(e));
    }

    private static String rootMessage(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" / ");
        }
        return sb.toString();
    }
}
