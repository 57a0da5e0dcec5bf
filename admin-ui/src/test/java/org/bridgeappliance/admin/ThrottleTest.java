package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repeated failed logins are refused for a while, even with the right password then. */
class ThrottleTest {

    @Test
    void fiveFailuresThenTooManyRequests(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of())) {
            for (int i = 0; i < 5; i++) {
                ApiClient.Response r = new ApiClient(server.getURI()).post("/api/v1/session",
                        Map.of("username", TestServers.ADMIN, "password", "wrong-password-" + i));
                assertEquals(401, r.status(), "attempt " + i + ": " + r);
            }
            ApiClient.Response locked = new ApiClient(server.getURI()).basic(TestServers.ADMIN, TestServers.PASSWORD)
                    .get("/api/v1/rooms");
            assertEquals(429, locked.status(), locked.toString());
            assertNotNull(locked.header("Retry-After"));
            ApiClient.Response login = new ApiClient(server.getURI()).post("/api/v1/session",
                    Map.of("username", TestServers.ADMIN, "password", TestServers.PASSWORD));
            assertEquals(429, login.status());
        }
    }
}
