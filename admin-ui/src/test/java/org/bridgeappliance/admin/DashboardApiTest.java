package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.junit.jupiter.api.Test;

/** The dashboard's traffic ({@code /activity}) and the room list's per-mapping health ({@code /room-health}). */
class DashboardApiTest extends TestServerBase {
    private static final Portal LOBBY = Portal.of("xmpp", "lobby@conference.xmpp.test");
    private static final Portal EVIL = Portal.of("xmpp", "evil@conference.xmpp.test");
    private static final Portal OTHER = Portal.of("xmpp", "other@conference.xmpp.test");

    private static MessageEvent message(Portal in) {
        return new MessageEvent(new EventMeta(in, UserRef.of("xmpp", "alice@xmpp.test"), Profile.EMPTY,
                Optional.empty(), Instant.now()), MessageKind.TEXT, MessageBody.plain("hi"), List.of(), Optional.empty());
    }

    @Test
    void activityHasAnHourOfMinutesPerNetworkPairAndTheExactOutboxDepth() {
        RoomId room = RoomId.of("activity-room");
        Instant now = Instant.now();
        TestBeans.ACTIVITY.delivered(room, Network.of("xmpp"), Portal.of("matrix", "!a:matrix.test"), now);
        TestBeans.ACTIVITY.delivered(room, Network.of("xmpp"), Portal.of("matrix", "!a:matrix.test"), now);
        TestBeans.ACTIVITY.retried(now);
        long depthBefore = admin().get("/api/v1/activity").json().path("outboxDepth").asLong();
        stores().outbox().append(room, BridgeMessageId.of("activity-1"), message(LOBBY));

        ApiClient.Response r = admin().get("/api/v1/activity");
        assertEquals(200, r.status(), r.toString());
        JsonNode a = r.json();
        assertTrue(a.path("tracked").asBoolean());
        assertEquals(60, a.path("minutes").asInt());
        JsonNode pair = null;
        for (JsonNode p : a.path("delivered")) {
            if (p.path("from").asText().equals("xmpp") && p.path("to").asText().equals("matrix")) {
                pair = p;
            }
        }
        assertTrue(pair != null, a.toString());
        assertEquals(60, pair.path("perMinute").size());
        assertTrue(pair.path("perMinute").get(59).asLong() >= 2 || pair.path("perMinute").get(58).asLong() >= 2,
                "this minute (or the previous one, at a minute's turn): " + pair);
        assertEquals(2, pair.path("total").asLong());
        assertEquals(60, a.path("failed").size());
        assertEquals(1, sum(a.path("retried")));
        assertEquals(depthBefore + 1, a.path("outboxDepth").asLong());
        assertEquals(depthBefore + 1, admin().get("/api/v1/adapters").json().path("outboxDepth").asLong(),
                "the adapters' view counts the same");
        assertEquals(401, new ApiClient(base).header("X-Requested-With", "t").get("/api/v1/activity").status());
    }

    @Test
    void roomHealthShowsJoinedLastDeliveryLastErrorAndBacklog() {
        JsonNode created = admin().post("/api/v1/rooms", Map.of("name", "health", "enabled", true, "portals",
                List.of(Map.of("network", "xmpp", "room", LOBBY.room().value())))).json();
        JsonNode evil = admin().post("/api/v1/rooms", Map.of("name", "evil", "enabled", true, "portals",
                List.of(Map.of("network", "xmpp", "room", EVIL.room().value())))).json();
        JsonNode other = admin().post("/api/v1/rooms", Map.of("name", "other", "enabled", true, "portals",
                List.of(Map.of("network", "xmpp", "room", OTHER.room().value())))).json();
        RoomId id = RoomId.of(created.path("id").asText());
        Instant at = Instant.parse("2026-12-03T10:00:00Z");
        TestBeans.ACTIVITY.delivered(id, Network.of("matrix"), LOBBY, at);
        TestBeans.ACTIVITY.failed(id, LOBBY, "rejected: forbidden", at.plusSeconds(1));
        stores().outbox().append(id, BridgeMessageId.of("health-1"), message(LOBBY));
        stores().outbox().append(id, BridgeMessageId.of("health-2"), message(LOBBY));

        ApiClient.Response r = admin().get("/api/v1/room-health");
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.json().path("tracked").asBoolean());
        JsonNode health = find(r.json().path("rooms"), id.value());
        assertEquals("2026-12-03T10:00:00Z", health.path("lastDelivery").asText());
        assertEquals("rejected: forbidden", health.path("lastError").path("reason").asText());
        assertEquals("lobby@conference.xmpp.test", health.path("lastError").path("room").asText());
        assertEquals(2, health.path("backlog").asLong());
        assertTrue(health.path("portals").get(0).path("joined").asBoolean());

        JsonNode evilHealth = find(r.json().path("rooms"), evil.path("id").asText());
        assertFalse(evilHealth.path("portals").get(0).path("joined").asBoolean(true));
        assertTrue(absent(evilHealth.path("lastDelivery")), evilHealth.toString());
        assertTrue(absent(evilHealth.path("lastError")), evilHealth.toString());
        assertEquals(0, evilHealth.path("backlog").asLong());
        assertTrue(absent(find(r.json().path("rooms"), other.path("id").asText()).path("portals").get(0)
                .path("joined")), "the adapter cannot tell");
    }

    private static JsonNode find(JsonNode rooms, String id) {
        for (JsonNode room : rooms) {
            if (room.path("id").asText().equals(id)) {
                return room;
            }
        }
        throw new AssertionError("no room " + id + " in " + rooms);
    }

    /** Null or left out (the API leaves nulls out). */
    private static boolean absent(JsonNode node) {
        return node.isNull() || node.isMissingNode();
    }

    private static long sum(JsonNode numbers) {
        long total = 0;
        for (JsonNode n : numbers) {
            total += n.asLong();
        }
        return total;
    }
}
