package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.admin.web.SecurityHeadersFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the web UI needs from the server: its files under /admin/ with security headers, ETag/If-Match on room
 * updates (412), search + paging + totals, room listings per network, and the dashboard's facts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminUiApiTest {
    private EmbeddedServer server;
    private URI base;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServers.withAdmin(dataDir, Map.of(
                "micronaut.router.static-resources.admin-ui.paths", "classpath:admin-ui",
                "micronaut.router.static-resources.admin-ui.mapping", "/admin/**",
                "bridge.admin.test-room-listing", "true"));
        base = server.getURI();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ApiClient admin() {
        return new ApiClient(base).basic(TestServers.ADMIN, TestServers.PASSWORD);
    }

    private static Map<String, Object> room(String name, boolean enabled, String xmppRoom) {
        return Map.of("name", name, "enabled", enabled, "portals", List.of(Map.of("network", "xmpp", "room", xmppRoom)));
    }

    @Test
    void theUiIsServedUnderAdminWithSecurityHeaders() {
        ApiClient.Response index = new ApiClient(base).get("/admin/");
        assertEquals(200, index.status(), index.toString());
        assertTrue(index.body().contains("/admin/js/app.js"), index.body());
        assertEquals(SecurityHeadersFilter.CSP, index.header("Content-Security-Policy"));
        assertFalse(index.header("Content-Security-Policy").contains("unsafe"), "no unsafe-* source");
        assertEquals("nosniff", index.header("X-Content-Type-Options"));
        assertEquals("no-referrer", index.header("Referrer-Policy"));
        ApiClient.Response script = new ApiClient(base).get("/admin/js/app.js");
        assertEquals(200, script.status());
        assertTrue(script.header("Content-Type").contains("javascript"), script.header("Content-Type"));
        assertEquals("nosniff", script.header("X-Content-Type-Options"));
        assertEquals(404, new ApiClient(base).get("/admin/js/missing.js").status());
    }

    @Test
    void jsonAnswersAreNeverCachedAndCarryTheHeadersToo() {
        ApiClient.Response r = admin().get("/api/v1/rooms");
        assertEquals(200, r.status());
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals(SecurityHeadersFilter.CSP, r.header("Content-Security-Policy"));
        ApiClient.Response denied = new ApiClient(base).header("X-Requested-With", "x").get("/api/v1/rooms");
        assertEquals(401, denied.status());
        assertEquals("no-store", denied.header("Cache-Control"), "errors too");
        assertEquals("nosniff", denied.header("X-Content-Type-Options"));
    }

    @Test
    void staleRoomEditsAre412AndCurrentOnesSucceed() {
        ApiClient.Response created = admin().post("/api/v1/rooms", room("Etag room", true, "etag@conference.xmpp.test"));
        assertEquals(201, created.status(), created.toString());
        String id = created.json().get("id").asText();
        String v1 = admin().get("/api/v1/rooms/" + id).header("ETag");
        assertNotNull(v1);
        assertEquals(v1, created.header("ETag"));

        ApiClient.Response first = admin().header("If-Match", v1).put("/api/v1/rooms/" + id,
                room("Etag room renamed", true, "etag@conference.xmpp.test"));
        assertEquals(200, first.status(), first.toString());
        String v2 = first.header("ETag");
        assertNotEquals(v1, v2);

        ApiClient.Response stale = admin().header("If-Match", v1).put("/api/v1/rooms/" + id,
                room("Etag room, second admin", false, "etag@conference.xmpp.test"));
        assertEquals(412, stale.status(), stale.toString());
        assertTrue(stale.json().get("message").asText().contains("changed by someone else"), stale.toString());
        assertEquals("Etag room renamed", admin().get("/api/v1/rooms/" + id).json().get("name").asText(),
                "the stale edit changed nothing");
        assertEquals(200, admin().header("If-Match", v2).put("/api/v1/rooms/" + id,
                room("Etag room 3", true, "etag@conference.xmpp.test")).status());
        assertEquals(200, admin().put("/api/v1/rooms/" + id, room("Etag room 4", true, "etag@conference.xmpp.test"))
                .status(), "scripts without If-Match keep working");
    }

    @Test
    void roomsAreSearchedAndPagedWithTotals() {
        for (int i = 0; i < 5; i++) {
            assertEquals(201, admin().post("/api/v1/rooms", room("Paged " + i, true, "paged" + i + "@c.test")).status());
        }
        JsonNode page = admin().get("/api/v1/rooms?q=PAGED&offset=2&limit=2").json();
        assertEquals(5, page.get("total").asInt());
        assertEquals(List.of("Paged 2", "Paged 3"), page.get("items").findValuesAsText("name"));
        assertEquals(1, admin().get("/api/v1/rooms?q=paged4@c").json().get("total").asInt(), "portal addresses match");
        assertEquals(400, admin().get("/api/v1/rooms?limit=0").status());
    }

    @Test
    void identityLinksAndAuditAreSearchedWithTotals() {
        admin().post("/api/v1/identity-links", Map.of("first", Map.of("network", "xmpp", "user", "zed@xmpp.test"),
                "second", Map.of("network", "matrix", "user", "@zed:matrix.test")));
        JsonNode links = admin().get("/api/v1/identity-links?q=ZED").json();
        assertEquals(1, links.get("total").asInt(), links.toString());
        assertEquals(0, admin().get("/api/v1/identity-links?q=nobody-here").json().get("total").asInt());

        admin().post("/api/v1/rooms", room("Audit filter", true, "auditfilter@c.test"));
        JsonNode audit = admin().get("/api/v1/audit?action=room.create&target=room:&actor=" + TestServers.ADMIN).json();
        assertTrue(audit.get("total").asInt() >= 1, audit.toString());
        assertTrue(audit.get("items").findValuesAsText("action").stream().allMatch("room.create"::equals));
        assertEquals(0, admin().get("/api/v1/audit?actor=somebody-else").json().get("total").asInt());
        assertEquals(0, admin().get("/api/v1/audit?from=2999-01-01T00:00:00Z").json().get("total").asInt());
        assertEquals(400, admin().get("/api/v1/audit?from=yesterday").status());
    }

    @Test
    void puppetsPageHasTotalsAndANetworkFilter() {
        JsonNode page = admin().get("/api/v1/puppets?network=matrix").json();
        assertEquals(0, page.get("total").asInt());
        assertTrue(page.get("totalExact").asBoolean());
        assertEquals("matrix", page.get("network").asText());
        assertEquals(400, admin().get("/api/v1/puppets?network=nonsense").status());
    }

    @Test
    void personAliasesAreSetReadRemovedAndAudited() {
        String path = "/api/v1/networks/xmpp/person-aliases";
        String who = "?personNetwork=xmpp&person=alice@xmpp.test";
        assertTrue(admin().get(path + who).json().get("alias").isNull());
        String body = "{\"personNetwork\":\"xmpp\",\"person\":\"alice@xmpp.test\",\"alias\":\"7001\"}";
        assertEquals(200, admin().put(path, body).status());
        assertEquals("7001", admin().get(path + who).json().get("alias").asText());
        assertEquals(409, admin().put(path, body.replace("alice", "bob")).status(), "alice has 7001");
        assertEquals(400, admin().put(path, body.replace("7001", "70a1")).status(), "the adapter's check");
        assertEquals(400, admin().put(path, body.replace("alice", "bad")).status(), "a person it cannot reach");
        assertEquals(400, admin().put(path, body.replace("\"xmpp\"", "\"irc\"")).status(), "unknown network");
        assertEquals(400, admin().put(path, "{\"personNetwork\":\"xmpp\",\"alias\":\"7001\"}").status());
        assertEquals(404, admin().get("/api/v1/networks/matrix/person-aliases" + who).status(), "no capability");
        assertEquals(401, new ApiClient(base).get(path + who).status());
        JsonNode audit = admin().get("/api/v1/audit?action=person.alias.set").json();
        assertTrue(audit.get("items").findValuesAsText("target").contains("xmpp:xmpp:alice@xmpp.test"), audit.toString());
        assertEquals(204, admin().delete(path + who).status());
        assertEquals(404, admin().delete(path + who).status(), "already removed");
        assertEquals(1, admin().get("/api/v1/audit?action=person.alias.remove").json().get("total").asInt());
    }

    @Test
    void reactionsAreSwitchedPerRoomAndAudited() {
        String path = "/api/v1/networks/xmpp/reactions";
        assertTrue(admin().get(path + "?room=lobby@conference.xmpp.test").json().get("shown").asBoolean(), "default");
        assertEquals(200, admin().put(path, "{\"room\":\"lobby@conference.xmpp.test\",\"shown\":false}").status());
        assertFalse(admin().get(path + "?room=lobby@conference.xmpp.test").json().get("shown").asBoolean());
        assertTrue(admin().get(path + "?room=evil@conference.xmpp.test").json().get("shown").asBoolean(), "per room");
        assertEquals(400, admin().put(path, "{\"room\":\"lobby@conference.xmpp.test\"}").status(), "no shown");
        assertEquals(400, admin().put(path, "{\"room\":\"lobby\",\"shown\":false}").status(), "the adapter's check");
        assertEquals(404, admin().get("/api/v1/networks/matrix/reactions?room=!a:hs").status(), "no capability");
        JsonNode audit = admin().get("/api/v1/audit?action=portal.reactions.set").json();
        assertEquals(1, audit.get("total").asInt(), audit.toString());
        assertEquals(200, admin().put(path, "{\"room\":\"lobby@conference.xmpp.test\",\"shown\":true}").status());
        assertTrue(admin().get(path + "?room=lobby@conference.xmpp.test").json().get("shown").asBoolean());
    }

    @Test
    void networkRoomListingsComeFromTheAdaptersCapability() {
        JsonNode xmpp = admin().get("/api/v1/networks/xmpp/rooms?q=").json();
        assertTrue(xmpp.get("supported").asBoolean());
        assertEquals(List.of("lobby@conference.xmpp.test", "evil@conference.xmpp.test"),
                xmpp.get("rooms").findValuesAsText("room"));
        assertEquals(TestRoomListingAdapter.HOSTILE, xmpp.get("rooms").get(1).get("name").asText(),
                "names are data; the UI renders them as text");
        assertEquals(List.of("lobby@conference.xmpp.test"),
                admin().get("/api/v1/networks/xmpp/rooms?q=LOB").json().get("rooms").findValuesAsText("room"));
        JsonNode down = admin().get("/api/v1/networks/xmpp/rooms?q=down").json();
        assertTrue(down.get("error").asText().contains("not connected"), down.toString());
        JsonNode matrix = admin().get("/api/v1/networks/matrix/rooms").json();
        assertFalse(matrix.get("supported").asBoolean(), "no adapter with the capability: type the address");
        assertEquals(400, admin().get("/api/v1/networks/irc/rooms").status());
        assertEquals(401, new ApiClient(base).get("/api/v1/networks/xmpp/rooms").status());
    }

    @Test
    void dashboardFactsAreThere() {
        JsonNode r = admin().get("/api/v1/adapters").json();
        assertTrue(r.get("uptimeSeconds").asLong() >= 0);
        assertFalse(r.get("version").asText().isBlank());
        assertEquals(0, r.get("outboxDepth").asInt());
    }
}
