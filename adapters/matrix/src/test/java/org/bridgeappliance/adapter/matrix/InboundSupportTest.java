package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.media.MediaLinks;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** Sender profiles for inbound events: room member state, else the global profile; only answers are cached. */
class InboundSupportTest {
    final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
    final MatrixClient client = new MatrixClient(homeserver, "as", 1, Duration.ofSeconds(1), d -> { });
    final org.bridgeappliance.core.store.BridgeStores stores = InMemoryStores.create();
    final InboundSupport support = new InboundSupport(client,
            new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp")), stores.messages(), stores.reactions(),
            new MediaLinks("http://127.0.0.1:18480", "hs"), null, Runnable::run);

    @Test
    void fallsBackToTheGlobalProfileWhenTheBotIsNotInTheRoomYet() {
        homeserver.override("GET /_matrix/client/v3/rooms/!r:matrix.test/state/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        homeserver.override("GET /_matrix/client/v3/profile/@carol:matrix.test", 200, "{\"displayname\":\"Carol\"}");
        assertEquals(Profile.named("Carol"), support.profileOf("!r:matrix.test", "@carol:matrix.test"));
        int calls = homeserver.calls.size();
        assertEquals(Profile.named("Carol"), support.profileOf("!r:matrix.test", "@carol:matrix.test"));
        assertEquals(calls, homeserver.calls.size(), "cached");
    }

    @Test
    void failedLookupsAreNotCached() {
        homeserver.override("GET /_matrix/client/v3/rooms/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        homeserver.override("GET /_matrix/client/v3/profile/", 500, "{}");
        assertEquals(Profile.EMPTY, support.profileOf("!r:matrix.test", "@dave:matrix.test"));
        homeserver.override("GET /_matrix/client/v3/rooms/!r:matrix.test/state/", 200, "{\"displayname\":\"Dave\","
                + "\"membership\":\"join\"}");
        assertEquals(Profile.named("Dave"), support.profileOf("!r:matrix.test", "@dave:matrix.test"));
    }

    @Test
    void memberEventsRefreshTheCache() throws Exception {
        support.observe(org.bridgeappliance.adapter.matrix.json.Json.parse("""
                {"type":"m.room.member","room_id":"!r:matrix.test","sender":"@erin:matrix.test",
                 "state_key":"@erin:matrix.test","content":{"membership":"join","displayname":"Erin"}}
                """));
        assertEquals(Profile.named("Erin"), support.profileOf("!r:matrix.test", "@erin:matrix.test"));
        assertEquals(List.of(), homeserver.calls);
    }

    /** Issue 9: a redaction of someone else's event is a moderation only at the room's redact power level. */
    @Test
    void onlyUsersAtTheRoomsRedactLevelMayRedactOthers() {
        String room = "/_matrix/client/v3/rooms/!r:matrix.test/state/";
        String levels = "{\"users\":{\"@mod:matrix.test\":50,\"@old:matrix.test\":\"75\"},\"users_default\":0,"
                + "\"redact\":50}";
        for (String user : List.of("@mod:matrix.test", "@old:matrix.test", "@alice:matrix.test")) {
            homeserver.override("GET " + room + "m.room.create", 200, "{\"room_version\":\"10\"}");
            homeserver.override("GET " + room + "m.room.power_levels", 200, levels);
            org.junit.jupiter.api.Assertions.assertEquals(!user.startsWith("@alice"),
                    support.mayRedactOthers("!r:matrix.test", user), user);
        }
        homeserver.override("GET " + room + "m.room.create", 200, "{\"room_version\":\"10\"}");
        homeserver.override("GET " + room + "m.room.power_levels", 200, "{\"users\":{\"@mod:matrix.test\":50},"
                + "\"redact\":100}");
        org.junit.jupiter.api.Assertions.assertFalse(support.mayRedactOthers("!r:matrix.test", "@mod:matrix.test"),
                "the room raised its redact level");
        homeserver.override("GET " + room + "m.room.create", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        org.junit.jupiter.api.Assertions.assertFalse(support.mayRedactOthers("!r:matrix.test", "@mod:matrix.test"),
                "unknown power is no power");
        // room version 12: the create event's sender outranks every level without being listed
        homeserver.override("GET /_matrix/client/v3/rooms/!v12/state/m.room.create", 200, "{\"room_version\":\"12\"}");
        homeserver.override("GET /_matrix/client/v3/rooms/!v12/event/$v12", 200,
                "{\"sender\":\"@founder:matrix.test\",\"type\":\"m.room.create\"}");
        org.junit.jupiter.api.Assertions.assertTrue(support.mayRedactOthers("!v12", "@founder:matrix.test"));
    }
}
