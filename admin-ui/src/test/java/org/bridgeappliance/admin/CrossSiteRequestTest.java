package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests another site can make a browser send without a CORS preflight, with HTTP Basic
 * credentials the browser has cached for the appliance (issue 9, item 11): {@code navigator.sendBeacon}
 * sends a POST with no Content-Type (ArrayBuffer or null body) or text/plain, forms send
 * form-urlencoded. Every mutating request must be application/json or carry the CSRF header.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossSiteRequestTest {
    private static final String NEW_ADMIN = "{\"username\":\"intruder\",\"password\":\"intruder-password-1\"}";
    private EmbeddedServer server;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServers.withAdmin(dataDir, Map.of());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ApiClient admin() {
        return new ApiClient(server.getURI()).basic(TestServers.ADMIN, TestServers.PASSWORD);
    }

    private boolean intruderExists() {
        return admin().get("/api/v1/admins").json().findValuesAsText("username").contains("intruder");
    }

    @Test
    void beaconWithoutContentTypeCannotCreateAnAdminWithCachedBasicCredentials() {
        ApiClient.Response r = admin().send("POST", "/api/v1/admins", NEW_ADMIN, null);
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.json().get("message").asText().contains("application/json"), r.toString());
        assertFalse(intruderExists(), "no admin was created");
    }

    @Test
    void beaconWithTextPlainIs415() {
        ApiClient.Response r = admin().send("POST", "/api/v1/admins", NEW_ADMIN, "text/plain;charset=UTF-8");
        assertEquals(415, r.status(), r.toString());
        assertFalse(intruderExists());
    }

    @Test
    void bodylessMutatingCallsNeedJsonOrTheCsrfHeaderWhateverTheAuthentication() {
        ApiClient.Response created = admin().post("/api/v1/admins",
                Map.of("username", "temporary", "password", "temporary-password"));
        assertEquals(201, created.status(), created.toString());
        ApiClient.Response bare = admin().send("DELETE", "/api/v1/admins/temporary", null, null);
        assertEquals(403, bare.status(), bare.toString());
        ApiClient.Response withHeader = admin().header("X-CSRF-Token", "script").send("DELETE",
                "/api/v1/admins/temporary", null, null);
        assertEquals(204, withHeader.status(), "Basic callers may send any X-CSRF-Token value: " + withHeader);
    }

    @Test
    void jsonBodiesStillWork() {
        ApiClient.Response r = admin().send("POST", "/api/v1/admins",
                "{\"username\":\"legit\",\"password\":\"legit-password-1\"}", "application/json; charset=utf-8");
        assertEquals(201, r.status(), r.toString());
    }

    @Test
    void loginWithoutContentTypeIsRefusedToo() {
        ApiClient.Response r = new ApiClient(server.getURI()).send("POST", "/api/v1/session",
                "{\"username\":\"admin\",\"password\":\"correct-horse-battery\"}", null);
        assertEquals(403, r.status(), r.toString());
    }
}
