package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session cookie's Secure flag (issue 9, item 12): behind a TLS-terminating proxy the appliance
 * itself sees plain HTTP, so the flag must not depend on that by default.
 */
class SessionCookieTest {

    private static ApiClient.Response login(EmbeddedServer server, Map<String, String> headers) {
        ApiClient client = new ApiClient(server.getURI());
        headers.forEach(client::header);
        ApiClient.Response r = client.post("/api/v1/session",
                Map.of("username", TestServers.ADMIN, "password", TestServers.PASSWORD));
        assertEquals(200, r.status(), r.toString());
        return r;
    }

    private static boolean secure(ApiClient.Response login) {
        return Arrays.stream(login.header("Set-Cookie").split(";")).map(String::trim).anyMatch("Secure"::equalsIgnoreCase);
    }

    @Test
    void sessionCookieIsSecureByDefaultEvenOverPlainHttpFromAProxy(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of())) {
            assertTrue(secure(login(server, Map.of())), "ALWAYS is the default");
        }
    }

    @Test
    void autoSetsSecureOnlyWhenATrustedProxyReportsHttps(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.cookie-secure", "AUTO",
                "bridge.admin.trusted-proxies", "127.0.0.0/8"))) {
            assertFalse(secure(login(server, Map.of())), "plain http, no proxy header");
            assertTrue(secure(login(server, Map.of("X-Forwarded-Proto", "https"))));
            assertTrue(secure(login(server, Map.of("Forwarded", "for=192.0.2.1;proto=https"))));
        }
    }

    @Test
    void autoIgnoresForwardedProtoFromAnUntrustedPeer(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.cookie-secure", "AUTO"))) {
            assertFalse(secure(login(server, Map.of("X-Forwarded-Proto", "https"))));
        }
    }
}
