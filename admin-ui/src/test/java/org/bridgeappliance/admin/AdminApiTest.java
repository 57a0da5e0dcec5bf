package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over HTTP: authentication, CSRF, validation, CRUD, conflicts and audit. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
    private EmbeddedServer server;
    private URI base;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        // Throttling is tested on its own server (ThrottleTest); here wrong passwords must stay 401s.
        server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.login-max-failures", 1000,
                "bridge.admin.test-failure-route", "true"));
        base = server.getURI();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ApiClient anonymous() {
        return new ApiClient(base);
    }

    private ApiClient admin() {
        return new ApiClient(base).basic(TestServers.ADMIN, TestServers.PASSWORD);
    }

    private static Map<String, Object> room(String name, Object... networkRoomPairs) {
        List<Map<String, Object>> portals = new java.util.ArrayList<>();
        for (int i = 0; i < networkRoomPairs.length; i += 2) {
            portals.add(Map.of("network", networkRoomPairs[i], "room", networkRoomPairs[i + 1]));
        }
        return Map.of("name", name, "enabled", true, "portals", portals);
    }

    // --- authentication -------------------------------------------------------------------------

    @Test
    void withoutCredentialsIs401WithBasicChallengeForScripts() {
        ApiClient.Response r = anonymous().get("/api/v1/rooms");
        assertEquals(401, r.status(), r.toString());
        assertTrue(r.header("WWW-Authenticate").startsWith("Basic realm=\"bridge-admin\""));
        assertNotNull(r.json().get("message"));
    }

    @Test
    void browserUiRequestsGetNoBasicChallengeSoNoPasswordDialogPopsUp() {
        ApiClient.Response r = anonymous().header("X-Requested-With", "fetch").get("/api/v1/rooms");
        assertEquals(401, r.status());
        assertFalse(r.header("WWW-Authenticate").startsWith("Basic"), r.header("WWW-Authenticate"));
    }

    @Test
    void wrongPasswordOrUnknownUserIs401() {
        assertEquals(401, new ApiClient(base).basic(TestServers.ADMIN, "wrong-password-123").get("/api/v1/rooms").status());
        assertEquals(401, new ApiClient(base).basic("nobody", TestServers.PASSWORD).get("/api/v1/rooms").status());
        assertEquals(401, anonymous().header("Authorization", "Basic !!!notbase64").get("/api/v1/rooms").status());
        assertEquals(401, anonymous().header("Authorization", "Bearer abc").get("/api/v1/rooms").status());
    }

    @Test
    void basicCredentialsAreAccepted() {
        ApiClient.Response r = admin().get("/api/v1/rooms");
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.json().get("items").isArray());
        // Served from the verified-credentials cache the second time; same answer.
        assertEquals(200, admin().get("/api/v1/session").status());
        assertEquals("BASIC", admin().get("/api/v1/session").json().get("method").asText());
    }

    @Test
    void cookieSessionLoginEnforcesCsrfOnMutatingCallsAndLogsOut() {
        ApiClient.Response bad = anonymous().post("/api/v1/session",
                Map.of("username", TestServers.ADMIN, "password", "nope-nope-nope"));
        assertEquals(401, bad.status());
        assertFalse(bad.header("WWW-Authenticate").startsWith("Basic"));

        ApiClient.Response login = anonymous().post("/api/v1/session",
                Map.of("username", TestServers.ADMIN, "password", TestServers.PASSWORD));
        assertEquals(200, login.status(), login.toString());
        String setCookie = login.header("Set-Cookie");
        assertNotNull(setCookie);
        assertTrue(setCookie.startsWith("bridge_admin_session="), setCookie);
        assertTrue(setCookie.toLowerCase().contains("httponly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = login.json().get("csrfToken").asText();
        assertTrue(csrf.length() >= 32);

        ApiClient browser = anonymous().header("Cookie", cookie);
        assertEquals(200, browser.get("/api/v1/rooms").status());
        assertEquals(csrf, browser.get("/api/v1/session").json().get("csrfToken").asText());

        Map<String, Object> body = room("csrf test", "xmpp", "csrf@conference.xmpp.test");
        ApiClient.Response noToken = browser.post("/api/v1/rooms", body);
        assertEquals(403, noToken.status(), noToken.toString());
        ApiClient.Response wrongToken = browser.header("X-CSRF-Token", csrf + "x").post("/api/v1/rooms", body);
        assertEquals(403, wrongToken.status());
        assertEquals(0, admin().get("/api/v1/rooms").json().findValuesAsText("name").stream()
                .filter("csrf test"::equals).count(), "nothing was created without a valid token");

        ApiClient.Response ok = browser.header("X-CSRF-Token", csrf).post("/api/v1/rooms", body);
        assertEquals(201, ok.status(), ok.toString());

        // Logout needs the token too (it is a mutating call), then the cookie is dead.
        assertEquals(403, anonymous().header("Cookie", cookie).delete("/api/v1/session").status());
        ApiClient.Response logout = browser.delete("/api/v1/session");
        assertEquals(204, logout.status());
        assertTrue(logout.header("Set-Cookie").contains("Max-Age=0"), logout.header("Set-Cookie"));
        assertEquals(401, browser.get("/api/v1/rooms").status());
    }

    @Test
    void formPostsAreRefusedSoBrowsersCannotForgeThem() {
        ApiClient.Response r = admin().send("POST", "/api/v1/rooms", "name=x", "application/x-www-form-urlencoded");
        assertEquals(415, r.status(), r.toString());
        ApiClient.Response login = anonymous().send("POST", "/api/v1/session", "{}", "text/plain");
        assertEquals(415, login.status());
    }

    // --- validation -----------------------------------------------------------------------------

    private void assertBadField(ApiClient.Response r, String field) {
        assertEquals(400, r.status(), r.toString());
        assertEquals(field, r.json().path("field").asText(null), r.toString());
        assertFalse(r.body().contains("at org."), "no stack trace: " + r.body());
    }

    @Test
    void unknownNetworkIs400NamingTheField() {
        ApiClient.Response r = admin().post("/api/v1/rooms", room("x", "irc", "#chan"));
        assertBadField(r, "portals[0].network");
        assertTrue(r.json().get("message").asText().contains("matrix"), "lists the known networks: " + r);
    }

    @Test
    void badRoomIdsAre400NamingTheField() {
        assertBadField(admin().post("/api/v1/rooms", room("x", "xmpp", "no-at-sign")), "portals[0].room");
        assertBadField(admin().post("/api/v1/rooms", room("x", "xmpp", "room@conf/resource")), "portals[0].room");
        assertBadField(admin().post("/api/v1/rooms", room("x", "xmpp", "a@b.test", "matrix", "room:matrix.test")),
                "portals[1].room");
        assertBadField(admin().post("/api/v1/rooms", room("x", "sip", "room@sip.test")), "portals[0].room");
        assertBadField(admin().post("/api/v1/rooms", room("x", "xmpp", "a".repeat(300) + "@x.test")), "portals[0].room");
    }

    @Test
    void duplicateNetworkIs400() {
        assertBadField(admin().post("/api/v1/rooms", room("x", "xmpp", "a@c.test", "xmpp", "b@c.test")),
                "portals[1].network");
    }

    @Test
    void blankOrMissingFieldsAre400() {
        assertBadField(admin().post("/api/v1/rooms", room("   ", "xmpp", "a@c.test")), "name");
        assertBadField(admin().post("/api/v1/rooms", room("n".repeat(201), "xmpp", "a@c.test")), "name");
        assertBadField(admin().post("/api/v1/rooms", Map.of("name", "no portals")), "portals");
        assertBadField(admin().post("/api/v1/rooms", Map.of("name", "x", "portals", List.of(Map.of("network", "xmpp")))),
                "portals[0].room");
    }

    @Test
    void malformedJsonIs400WithoutStackTrace() {
        ApiClient.Response r = admin().post("/api/v1/rooms", "{\"name\": ");
        assertEquals(400, r.status(), r.toString());
        assertFalse(r.body().contains("at org.") || r.body().contains("Exception"), r.body());
    }

    @Test
    void internalErrorsShowNoDetails() {
        ApiClient.Response r = admin().get("/api/v1/test-failure");
        assertEquals(500, r.status(), r.toString());
        assertFalse(r.body().contains("hunter2") || r.body().contains("jdbc") || r.body().contains("Exception"),
                r.body());
        assertNotNull(r.json().get("message"));
    }

    @Test
    void oversizedBodyIs413() {
        String big = "{\"name\":\"" + "x".repeat(70 * 1024) + "\",\"portals\":[]}";
        ApiClient.Response r = admin().post("/api/v1/rooms", big);
        assertEquals(413, r.status(), r.toString());
        assertTrue(admin().get("/api/v1/rooms").status() == 200, "the server is fine afterwards");
    }

    // --- room mappings --------------------------------------------------------------------------

    @Test
    void roomMappingCrud() {
        ApiClient.Response created = admin().post("/api/v1/rooms",
                room("Lobby", "xmpp", "Lobby@Conference.XMPP.test", "matrix", "!abc:matrix.test"));
        assertEquals(201, created.status(), created.toString());
        JsonNode room = created.json();
        String id = room.get("id").asText();
        assertEquals("Lobby", room.get("name").asText());
        assertTrue(room.get("enabled").asBoolean());
        assertEquals("lobby@conference.xmpp.test", room.get("portals").get(0).get("room").asText(),
                "XMPP JIDs are case-folded");
        assertEquals("!abc:matrix.test", room.get("portals").get(1).get("room").asText());

        assertEquals("Lobby", admin().get("/api/v1/rooms/" + id).json().get("name").asText());
        assertTrue(admin().get("/api/v1/rooms").json().findValuesAsText("id").contains(id));

        ApiClient.Response updated = admin().put("/api/v1/rooms/" + id, Map.of("name", "Lobby 2", "enabled", false,
                "portals", List.of(Map.of("network", "matrix", "room", "#lobby:matrix.test"),
                        Map.of("network", "sip", "room", "sip:lobby@bridge.sip.test"))));
        assertEquals(200, updated.status(), updated.toString());
        JsonNode read = admin().get("/api/v1/rooms/" + id).json();
        assertEquals("Lobby 2", read.get("name").asText());
        assertFalse(read.get("enabled").asBoolean());
        assertEquals(2, read.get("portals").size());
        assertEquals("#lobby:matrix.test", read.get("portals").findValuesAsText("room").get(0));

        assertEquals(204, admin().delete("/api/v1/rooms/" + id).status());
        ApiClient.Response gone = admin().get("/api/v1/rooms/" + id);
        assertEquals(404, gone.status());
        assertNotNull(gone.json().get("message"));
        assertEquals(404, admin().delete("/api/v1/rooms/" + id).status());
        assertEquals(404, admin().put("/api/v1/rooms/" + id, room("x", "xmpp", "q@c.test")).status());
    }

    @Test
    void portalAlreadyMappedIs409() {
        assertEquals(201, admin().post("/api/v1/rooms", room("first", "xmpp", "taken@conference.xmpp.test")).status());
        ApiClient.Response r = admin().post("/api/v1/rooms",
                room("second", "matrix", "!other:matrix.test", "xmpp", "TAKEN@conference.xmpp.test"));
        assertEquals(409, r.status(), r.toString());
        assertTrue(r.json().get("message").asText().contains("taken@conference.xmpp.test"), r.toString());
        assertTrue(r.json().get("message").asText().contains("first"), r.toString());
        assertFalse(admin().get("/api/v1/rooms").json().findValuesAsText("name").contains("second"),
                "nothing of the refused mapping was stored");
    }

    @Test
    void mutatingCallsWriteAuditEntries() {
        ApiClient.Response created = admin().post("/api/v1/rooms", room("Audited", "xmpp", "audited@c.test"));
        String id = created.json().get("id").asText();
        admin().delete("/api/v1/rooms/" + id);
        JsonNode items = admin().get("/api/v1/audit?limit=50").json().get("items");
        boolean createSeen = false;
        boolean deleteSeen = false;
        for (JsonNode e : items) {
            if (e.get("target").asText().equals("room:" + id)) {
                assertEquals(TestServers.ADMIN, e.get("actor").asText());
                createSeen |= e.get("action").asText().equals("room.create");
                deleteSeen |= e.get("action").asText().equals("room.delete");
                assertTrue(e.get("detail").asText().contains("audited@c.test"));
            }
        }
        assertTrue(createSeen && deleteSeen, items.toString());
        assertBadField(admin().get("/api/v1/audit?limit=100000"), "limit");
    }

    // --- other resources ------------------------------------------------------------------------

    @Test
    void puppetsSearchHasBoundedLimit() {
        ApiClient.Response r = admin().get("/api/v1/puppets?q=alice&offset=0&limit=10");
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.json().get("items").isArray());
        assertBadField(admin().get("/api/v1/puppets?limit=1000"), "limit");
        assertBadField(admin().get("/api/v1/puppets?offset=-1"), "offset");
    }

    @Test
    void identityLinksCreateListDelete() {
        Map<String, Object> body = Map.of("first", Map.of("network", "xmpp", "user", "Alice@xmpp.test"),
                "second", Map.of("network", "matrix", "user", "@alice:matrix.test"));
        ApiClient.Response created = admin().post("/api/v1/identity-links", body);
        assertEquals(201, created.status(), created.toString());
        long id = created.json().get("id").asLong();
        assertEquals("alice@xmpp.test", created.json().get("first").get("user").asText());
        assertEquals(409, admin().post("/api/v1/identity-links", body).status());
        assertBadField(admin().post("/api/v1/identity-links", Map.of(
                "first", Map.of("network", "xmpp", "user", "a@x.test"),
                "second", Map.of("network", "xmpp", "user", "b@x.test"))), "second.network");
        assertBadField(admin().post("/api/v1/identity-links", Map.of(
                "first", Map.of("network", "xmpp", "user", "a@x.test"),
                "second", Map.of("network", "matrix", "user", "alice"))), "second.user");
        assertTrue(admin().get("/api/v1/identity-links").json().findValuesAsText("id").contains(Long.toString(id)));
        assertEquals(204, admin().delete("/api/v1/identity-links/" + id).status());
        assertEquals(404, admin().delete("/api/v1/identity-links/" + id).status());
    }

    @Test
    void adaptersListsEveryAdapterWithMetrics() {
        JsonNode r = admin().get("/api/v1/adapters").json();
        assertEquals(List.of("matrix", "sip", "xmpp"), r.get("adapters").findValuesAsText("network"));
        assertEquals("DISABLED", r.get("adapters").get(0).get("status").asText());
        assertEquals("CONNECTED", r.get("adapters").get(2).get("status").asText());
        assertEquals(3, r.get("metrics").get("accepted").asLong());
    }

    @Test
    void adminAccountsNeverExposePasswordHashes() {
        ApiClient.Response list = admin().get("/api/v1/admins");
        assertEquals(200, list.status());
        assertFalse(list.body().toLowerCase().contains("pbkdf2") || list.body().toLowerCase().contains("password"),
                list.body());
        assertBadField(admin().post("/api/v1/admins", Map.of("username", "bob", "password", "short")), "password");
        assertBadField(admin().post("/api/v1/admins", Map.of("username", "bad name", "password", "long-enough-pass")),
                "username");
        assertEquals(201, admin().post("/api/v1/admins", Map.of("username", "bob", "password", "bobs-password-1")).status());
        assertEquals(409, admin().post("/api/v1/admins", Map.of("username", "BOB", "password", "bobs-password-1")).status());
        ApiClient bob = new ApiClient(base).basic("bob", "bobs-password-1");
        assertEquals(200, bob.get("/api/v1/rooms").status());
        assertEquals(204, admin().put("/api/v1/admins/bob/password", Map.of("password", "bobs-password-2")).status());
        assertEquals(401, bob.get("/api/v1/rooms").status(), "the remembered old password is forgotten");
        assertEquals(204, admin().delete("/api/v1/admins/bob").status());
        assertEquals(404, admin().delete("/api/v1/admins/bob").status());
    }

    @Test
    void openApiDocumentIsServedWithoutCredentials() {
        ApiClient.Response r = anonymous().get("/api/v1/openapi.yml");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("/api/v1/rooms/{id}"), r.body());
        assertTrue(r.body().contains("basicAuth"));
        assertNull(r.header("Set-Cookie"));
    }
}
