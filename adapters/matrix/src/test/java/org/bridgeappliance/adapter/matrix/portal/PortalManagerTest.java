package org.bridgeappliance.adapter.matrix.portal;

import org.bridgeappliance.adapter.matrix.id.StandInAddressing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** Portal rooms created on demand (AS alias queries, MSC2346 info), plumbing by invite, DMs opened from Matrix. */
class PortalManagerTest {
    final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
    final GhostIdCodec codec = new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp", "sip"), StandInAddressing.INSTANCE);
    final MatrixClient client = new MatrixClient(homeserver, "as", 1, Duration.ofSeconds(1), d -> { });
    final GhostManager ghosts = new GhostManager(client, codec, InMemoryStores.create().puppets(),
            new MediaFetcher(client, 1000, Duration.ofSeconds(1)), Clock.systemUTC());
    final List<String> coordinatorCalls = new CopyOnWriteArrayList<>();
    boolean remoteRoomExists = true;

    final PortalCoordinator coordinator = new PortalCoordinator() {
        @Override
        public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
            coordinatorCalls.add("dm " + origin + " " + initiator + " " + recipient);
            return Optional.of(new BridgedRoom(RoomId.of("dm"), "dm", List.of(origin), true));
        }

        @Override
        public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
            coordinatorCalls.add("gateway " + origin + " " + target + " " + address);
            return remoteRoomExists ? Optional.of(new BridgedRoom(RoomId.of("g"), address, List.of(origin), true))
                    : Optional.empty();
        }
    };
    final PortalManager portals = new PortalManager(client, codec, ghosts, () -> coordinator);

    @Test
    void aliasQueryCreatesAPublicPortalRoomWithBridgeInfo() {
        assertTrue(portals.createGatewayRoom("#_xmpp_room=40conference.xmpp.test:matrix.test"));
        FakeHomeserver.Call create = homeserver.calls("POST /_matrix/client/v3/createRoom").get(0);
        assertEquals("@bridgebot:matrix.test", create.userId());
        assertTrue(create.body().contains("\"room_alias_name\":\"_xmpp_room=40conference.xmpp.test\""), create.body());
        assertTrue(create.body().contains("\"preset\":\"public_chat\""), create.body());
        assertTrue(create.body().contains("\"type\":\"m.bridge\""), create.body());
        assertFalse(create.body().contains("power_level_content_override"), "creator power is implicit (room v12)");
        assertEquals(List.of("gateway matrix:!new1:matrix.test xmpp room@conference.xmpp.test"), coordinatorCalls);
    }

    @Test
    void aliasOfAMissingRemoteRoomIsUndone() {
        remoteRoomExists = false;
        assertFalse(portals.createGatewayRoom("#_xmpp_nosuch=40conference.xmpp.test:matrix.test"));
        assertEquals(1, homeserver.calls("POST /_matrix/client/v3/rooms/!new1:matrix.test/leave").size());
    }

    @Test
    void concurrentAliasQueryFindsTheAliasTaken() {
        homeserver.override("POST /_matrix/client/v3/createRoom", 400, "{\"errcode\":\"M_ROOM_IN_USE\"}");
        assertTrue(portals.createGatewayRoom("#_xmpp_room=40conference.xmpp.test:matrix.test"));
        assertEquals(List.of(), coordinatorCalls);
    }

    @Test
    void foreignAliasesAreNotOurs() {
        assertFalse(portals.createGatewayRoom("#general:matrix.test"));
        assertFalse(portals.createGatewayRoom("#_xmpp_room=40c.x:other.server"));
        assertEquals(List.of(), homeserver.calls);
    }

    @Test
    void resolvesMatrixAddressesForOtherNetworks() {
        homeserver.override("GET /_matrix/client/v3/directory/room/#general:matrix.test", 200,
                "{\"room_id\":\"!gen:matrix.test\"}");
        homeserver.override("GET /_matrix/client/v3/rooms/!gen:matrix.test/state/m.room.join_rules", 200,
                "{\"join_rule\":\"public\"}");
        assertEquals(Optional.of(RemoteRoomId.of("!gen:matrix.test")), portals.resolveRoom("#general:matrix.test"));
        assertEquals("@bridgebot:matrix.test",
                homeserver.calls("POST /_matrix/client/v3/join/!gen:matrix.test").get(0).userId());
        // our own gateway aliases would bridge a room to itself
        assertEquals(Optional.empty(), portals.resolveRoom("#_xmpp_a=40b:matrix.test"));
        homeserver.override("GET /_matrix/client/v3/directory/room/", 404, "{\"errcode\":\"M_NOT_FOUND\"}");
        assertEquals(Optional.empty(), portals.resolveRoom("#missing:matrix.test"));
        homeserver.override("POST /_matrix/client/v3/join/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        assertEquals(Optional.empty(), portals.resolveRoom("!private:matrix.test"));
        assertEquals(Optional.empty(), portals.resolveRoom("not an address"));
    }

    @Test
    void directInviteOfAGhostOpensAChat() {
        portals.onInvite("!dm:matrix.test", "@carol:matrix.test", "@_xmpp_bob=40xmpp.test:matrix.test", true);
        assertEquals("@_xmpp_bob=40xmpp.test:matrix.test",
                homeserver.calls("POST /_matrix/client/v3/join/!dm:matrix.test").get(0).userId());
        assertEquals(List.of("dm matrix:!dm:matrix.test matrix:@carol:matrix.test xmpp:bob@xmpp.test"), coordinatorCalls);
    }

    @Test
    void botAcceptsInvitesSoAdminsCanPlumbRooms() {
        portals.onInvite("!plumb:matrix.test", "@admin:matrix.test", "@bridgebot:matrix.test", false);
        assertEquals("@bridgebot:matrix.test",
                homeserver.calls("POST /_matrix/client/v3/join/!plumb:matrix.test").get(0).userId());
        portals.ensureBotJoined("!plumb:matrix.test");
        assertEquals(1, homeserver.calls("POST /_matrix/client/v3/join/!plumb:matrix.test").size(), "cached");
    }

    /**
     * Issue 9: a gateway user of another network may name any room id or alias; only rooms anyone may join are
     * bridged, never a private room the bot sits in (a plumbed or DM room) or that an alias points to.
     */
    @Test
    void gatewaysReachOnlyPublicRoomsNotPrivateRoomsTheBotSitsIn() {
        String rules = "GET /_matrix/client/v3/rooms/!private:matrix.test/state/m.room.join_rules";
        homeserver.override(rules, 200, "{\"join_rule\":\"invite\"}");
        assertEquals(Optional.empty(), portals.resolveRoom("!private:matrix.test"));
        homeserver.override("GET /_matrix/client/v3/directory/room/#alias-to-private:matrix.test", 200,
                "{\"room_id\":\"!private:matrix.test\"}");
        homeserver.override(rules, 200, "{\"join_rule\":\"knock\"}");
        assertEquals(Optional.empty(), portals.resolveRoom("#alias-to-private:matrix.test"));
        assertEquals(Optional.empty(), portals.resolveRoom("!private:matrix.test"), "no join rule means invite");
        assertEquals(List.of(), homeserver.calls("POST /_matrix/client/v3/rooms/!private:matrix.test/leave"),
                "the bot stays where it was");

        // not in the room yet: a join shows what the room lets in; a private one is left again
        homeserver.override("GET /_matrix/client/v3/rooms/!invited:matrix.test/state/m.room.join_rules", 403,
                "{\"errcode\":\"M_FORBIDDEN\"}");
        homeserver.override("GET /_matrix/client/v3/rooms/!invited:matrix.test/state/m.room.join_rules", 200,
                "{\"join_rule\":\"invite\"}");
        assertEquals(Optional.empty(), portals.resolveRoom("!invited:matrix.test"));
        assertEquals(1, homeserver.calls("POST /_matrix/client/v3/rooms/!invited:matrix.test/leave").size());

        homeserver.override("GET /_matrix/client/v3/rooms/!open:matrix.test/state/m.room.join_rules", 403,
                "{\"errcode\":\"M_FORBIDDEN\"}");
        homeserver.override("GET /_matrix/client/v3/rooms/!open:matrix.test/state/m.room.join_rules", 200,
                "{\"join_rule\":\"public\"}");
        assertEquals(Optional.of(RemoteRoomId.of("!open:matrix.test")), portals.resolveRoom("!open:matrix.test"));
        assertEquals(1, homeserver.calls("POST /_matrix/client/v3/join/!open:matrix.test").size());
    }
}
