package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.Puppet;
import org.junit.jupiter.api.Test;

/** A puppet's rooms and identity links, and its avatar served from the appliance's own origin. */
class PuppetDetailApiTest extends TestServerBase {
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@xmpp.test");
    private static final Network MATRIX = Network.of("matrix");

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void puppet(String puppetId, String avatar) {
        stores().puppets().save(new Puppet(ALICE, MATRIX, RemoteUserId.of(puppetId),
                new Profile(Optional.of("Alice"), Optional.ofNullable(avatar).map(URI::create)), Instant.now()));
    }

    @Test
    void aPuppetShowsTheRoomsItSpokeInAndItsPersonsIdentityLinks() {
        puppet("@_xmpp_alice:matrix.test", "https://avatars.xmpp.test/png");
        JsonNode spoke = admin().post("/api/v1/rooms", Map.of("name", "Spoke here", "enabled", true, "portals",
                List.of(Map.of("network", "xmpp", "room", "spoke@conference.xmpp.test")))).json();
        admin().post("/api/v1/rooms", Map.of("name", "Silent here", "enabled", true, "portals",
                List.of(Map.of("network", "xmpp", "room", "silent@conference.xmpp.test"))));
        RoomId room = RoomId.of(spoke.path("id").asText());
        BridgeMessageId m = BridgeMessageId.of("puppet-detail-1");
        stores().messages().record(List.of(
                new MessageMapping(m, room, Portal.of("xmpp", "spoke@conference.xmpp.test"), ALICE,
                        RemoteMessageId.of("x1"), 0, true, Instant.now()),
                new MessageMapping(m, room, Portal.of("matrix", "!spoke:matrix.test"), ALICE,
                        RemoteMessageId.of("$m1"), 0, false, Instant.now())));
        assertEquals(201, admin().post("/api/v1/identity-links", Map.of(
                "first", Map.of("network", "xmpp", "user", ALICE.user().value()),
                "second", Map.of("network", "matrix", "user", "@alice:matrix.test"))).status());

        ApiClient.Response r = admin().get("/api/v1/puppets/detail?network=matrix&id=" + q("@_xmpp_alice:matrix.test"));
        assertEquals(200, r.status(), r.toString());
        JsonNode d = r.json();
        assertEquals("@_xmpp_alice:matrix.test", d.path("puppet").path("puppetId").asText());
        assertEquals(1, d.path("rooms").size(), d.toString());
        assertEquals("Spoke here", d.path("rooms").get(0).path("name").asText());
        assertEquals(1, d.path("links").size());
        assertEquals("@alice:matrix.test", d.path("links").get(0).path("second").path("user").asText());
        assertTrue(d.path("hasAvatar").asBoolean());

        assertEquals(404, admin().get("/api/v1/puppets/detail?network=matrix&id=nobody").status());
        assertEquals(400, admin().get("/api/v1/puppets/detail?network=nonsense&id=x").status());
    }

    @Test
    void theAvatarIsServedFromThisOriginAsARasterImageOnly() throws Exception {
        puppet("@_xmpp_png:matrix.test", "https://avatars.xmpp.test/png");
        HttpResponse<byte[]> png = raw("/api/v1/puppets/avatar?network=matrix&id=" + q("@_xmpp_png:matrix.test"));
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        assertEquals("nosniff", png.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertArrayEquals(TestRoomListingAdapter.PNG, png.body());

        puppet("@_xmpp_svg:matrix.test", "https://avatars.xmpp.test/svg");
        assertEquals(502, raw("/api/v1/puppets/avatar?network=matrix&id=" + q("@_xmpp_svg:matrix.test")).statusCode(),
                "an SVG (script-capable) is not passed on");
        puppet("@_xmpp_down:matrix.test", "https://avatars.xmpp.test/down");
        assertEquals(502, raw("/api/v1/puppets/avatar?network=matrix&id=" + q("@_xmpp_down:matrix.test")).statusCode());
        puppet("@_xmpp_elsewhere:matrix.test", "https://elsewhere.example/a.png");
        assertEquals(404, raw("/api/v1/puppets/avatar?network=matrix&id=" + q("@_xmpp_elsewhere:matrix.test"))
                .statusCode(), "no adapter fetches it: nothing is fetched by the admin API itself");
        puppet("@_xmpp_none:matrix.test", null);
        assertEquals(404, raw("/api/v1/puppets/avatar?network=matrix&id=" + q("@_xmpp_none:matrix.test")).statusCode());
        JsonNode none = admin().get("/api/v1/puppets/detail?network=matrix&id=" + q("@_xmpp_none:matrix.test")).json();
        assertFalse(none.path("hasAvatar").asBoolean());
        assertTrue(none.path("rooms").isArray() && none.path("links").isArray(), "empty lists are sent as []: " + none);
    }

    private HttpResponse<byte[]> raw(String path) throws Exception {
        String basic = Base64.getEncoder().encodeToString((TestServers.ADMIN + ":" + TestServers.PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
