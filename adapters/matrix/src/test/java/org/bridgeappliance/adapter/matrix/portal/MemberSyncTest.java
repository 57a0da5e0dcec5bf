package org.bridgeappliance.adapter.matrix.portal;

import org.bridgeappliance.adapter.matrix.id.StandInAddressing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** Members already in a Matrix room are announced as JOINs when it becomes a portal: bounded, retried, once. */
class MemberSyncTest {
    static final String BOT = "@bridgebot:matrix.test";
    static final String ROOM = "!plumbed:matrix.test";
    static final String JOINED = "GET /_matrix/client/v3/rooms/" + ROOM + "/joined_members";
    static final Duration RESCAN = Duration.ofSeconds(5);

    final FakeHomeserver homeserver = new FakeHomeserver(BOT);
    final GhostIdCodec codec = new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp", "sip"), StandInAddressing.INSTANCE);
    final MatrixClient client = new MatrixClient(homeserver, "as", 1, Duration.ofSeconds(1), d -> { });
    final BridgeStores stores = InMemoryStores.create();
    final GhostManager ghosts = new GhostManager(client, codec, stores.puppets(),
            new MediaFetcher(client, 1000, Duration.ofSeconds(1)), Clock.systemUTC());
    final PortalCoordinator coordinator = new PortalCoordinator() {
        @Override
        public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
            return Optional.of(stores.rooms().create("dm", List.of(origin, Portal.of("xmpp", "dm")), true));
        }

        @Override
        public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
            return Optional.of(stores.rooms().create(address, List.of(origin, Portal.of("xmpp", address)), true));
        }
    };
    final PortalManager portals = new PortalManager(client, codec, ghosts, () -> coordinator);
    final List<BridgeEvent> submitted = new CopyOnWriteArrayList<>();
    volatile EventIngress.Acceptance answer = EventIngress.Acceptance.QUEUED;
    volatile boolean ingressDown;
    final EventIngress ingress = event -> {
        if (ingressDown) {
            throw new IngressUnavailableException("store down", null);
        }
        submitted.add(event);
        return answer;
    };
    final AtomicLong nanos = new AtomicLong(1_000);
    final Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

    /** A member sync as the adapter starts it: the rooms mapped now are the start-up pass. */
    MemberSync sync(boolean onStart, int max) {
        MemberSync sync = new MemberSync(client, codec, portals, stores.rooms(), ingress,
                mxc -> Optional.of(URI.create("https://bridge.example/media/" + mxc.substring(6))), clock, nanos::get,
                new MemberSync.Settings(onStart, max, RESCAN));
        sync.started();
        return sync;
    }

    BridgedRoom map(String matrixRoom, String muc) {
        return stores.rooms().create("m " + muc, List.of(Portal.of("matrix", matrixRoom), Portal.of("xmpp", muc)), true);
    }

    static String members(String... entries) {
        return "{\"joined\":{" + String.join(",", entries) + "}}";
    }

    static String member(String userId, String displayName, String avatar) {
        return "\"" + userId + "\":{" + (displayName == null ? "" : "\"display_name\":\"" + displayName + "\"")
                + (displayName != null && avatar != null ? "," : "")
                + (avatar == null ? "" : "\"avatar_url\":\"" + avatar + "\"") + "}";
    }

    List<MembershipEvent> joins() {
        return submitted.stream().map(MembershipEvent.class::cast).toList();
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aMappedRoomsMembersAreAnnouncedAsJoinsExceptTheBridgesOwnUsers() {
        map(ROOM, "room@conference.xmpp.test");
        homeserver.override(JOINED, 200, members(
                "\"@bob:matrix.test\":{\"avatar_url\":null,\"display_name\":null}", // as Synapse writes "none"
                member("@alice:matrix.test", "Alice A.", "mxc://matrix.test/abc"),
                member(BOT, "Bridge bot", null),
                member("@_xmpp_carol=40xmpp.test:matrix.test", "carol (XMPP)", null),
                member("not-a-user-id", "x", null)));
        sync(true, 500).tick();

        List<FakeHomeserver.Call> joinCalls = homeserver.calls("POST /_matrix/client/v3/join/" + ROOM);
        assertEquals(1, joinCalls.size(), "the bot joins first (members are read as the bot)");
        assertEquals(BOT, joinCalls.get(0).userId());
        assertEquals(1, homeserver.calls(JOINED).size());
        List<MembershipEvent> joins = joins();
        assertEquals(2, joins.size(), joins.toString());
        MembershipEvent alice = joins.get(0);
        assertEquals(UserRef.of("matrix", "@alice:matrix.test"), alice.subject());
        assertEquals(alice.subject(), alice.sender(), "she joined herself");
        assertEquals(MembershipEvent.Membership.JOIN, alice.membership());
        assertEquals(Portal.of("matrix", ROOM), alice.origin());
        assertEquals(new Profile(Optional.of("Alice A."), Optional.of(URI.create("https://bridge.example/media/matrix.test/abc"))),
                alice.meta().profile());
        assertEquals(clock.instant(), alice.meta().timestamp());
        assertTrue(alice.remoteId().isEmpty(), "no Matrix event stands for it");
        assertEquals(UserRef.of("matrix", "@bob:matrix.test"), joins.get(1).subject());
        assertEquals(Profile.EMPTY, joins.get(1).meta().profile());
    }

    @Test
    void eachRoomIsAnnouncedOncePerMappingAndAgainAfterItIsMappedAnew() {
        MemberSync sync = sync(true, 500);
        BridgedRoom mapping = map(ROOM, "room@conference.xmpp.test");
        homeserver.override(JOINED, 200, members(member("@alice:matrix.test", "Alice", null)));
        sync.tick();
        advance(RESCAN.multipliedBy(3));
        sync.tick();
        sync.tick();
        assertEquals(1, homeserver.calls(JOINED).size(), "announced once");

        stores.rooms().update(new BridgedRoom(mapping.id(), mapping.name(), mapping.portals(), false));
        advance(RESCAN);
        sync.tick();
        stores.rooms().update(new BridgedRoom(mapping.id(), mapping.name(), mapping.portals(), true));
        homeserver.override(JOINED, 200, members(member("@alice:matrix.test", "Alice", null)));
        advance(RESCAN);
        sync.tick();
        assertEquals(2, homeserver.calls(JOINED).size(), "re-enabled: the XMPP side had left, so announce again");
        assertEquals(2, joins().size());
    }

    @Test
    void onlyRoomsMappedWhileRunningAreAnnouncedWhenTheStartUpPassIsOff() {
        map(ROOM, "room@conference.xmpp.test");
        MemberSync sync = sync(false, 500);
        sync.tick();
        assertTrue(homeserver.calls(JOINED).isEmpty(), "mapped before start-up: left alone");

        String later = "!later:matrix.test";
        map(later, "later@conference.xmpp.test");
        homeserver.override("GET /_matrix/client/v3/rooms/" + later + "/joined_members", 200,
                members(member("@dave:matrix.test", "Dave", null)));
        sync.tick();
        assertTrue(submitted.isEmpty(), "the directory is read again only every " + RESCAN);
        advance(RESCAN);
        sync.tick();
        assertEquals(List.of(UserRef.of("matrix", "@dave:matrix.test")), joins().stream().map(MembershipEvent::subject).toList());
        assertTrue(homeserver.calls(JOINED).isEmpty());
    }

    @Test
    void atMostMaxMembersAreAnnouncedTheFirstByUserId() {
        map(ROOM, "room@conference.xmpp.test");
        homeserver.override(JOINED, 200, members(member("@e:m.test", null, null), member("@c:m.test", null, null),
                member("@a:m.test", null, null), member("@d:m.test", null, null), member("@b:m.test", null, null)));
        sync(true, 3).tick();
        assertEquals(List.of("@a:m.test", "@b:m.test", "@c:m.test"),
                joins().stream().map(j -> j.subject().user().value()).toList());
    }

    @Test
    void roomsAreAnnouncedOneAtATimeOnePerTick() {
        for (int i = 0; i < 3; i++) {
            map("!r" + i + ":matrix.test", "r" + i + "@conference.xmpp.test");
        }
        MemberSync sync = sync(true, 500);
        sync.tick();
        assertEquals(1, homeserver.calls("GET /_matrix/client/v3/rooms/").size());
        assertEquals(2, sync.pendingCount());
        sync.tick();
        sync.tick();
        assertEquals(3, homeserver.calls("GET /_matrix/client/v3/rooms/").size());
        assertEquals(0, sync.pendingCount());
    }

    @Test
    void aTransientFailureIsRetriedAfterThirtySecondsWithoutHoldingUpOtherRooms() {
        map(ROOM, "room@conference.xmpp.test");
        map("!other:matrix.test", "other@conference.xmpp.test");
        homeserver.override(JOINED, 502, "{\"errcode\":\"M_UNKNOWN\"}");
        MemberSync sync = sync(true, 500);
        sync.tick();
        assertTrue(submitted.isEmpty());
        sync.tick(); // the other room is not held up
        assertEquals(1, homeserver.calls("GET /_matrix/client/v3/rooms/!other:matrix.test/joined_members").size());
        advance(Duration.ofSeconds(10));
        sync.tick();
        assertEquals(1, homeserver.calls(JOINED).size(), "not due yet");
        homeserver.override(JOINED, 200, members(member("@alice:matrix.test", "Alice", null)));
        advance(MemberSync.TRANSIENT_RETRY);
        sync.tick();
        assertEquals(2, homeserver.calls(JOINED).size());
        assertEquals(1, joins().size());
        assertEquals(0, sync.pendingCount());
    }

    @Test
    void whenTheRouterCannotQueueTheRoomIsRetriedWhole() {
        map(ROOM, "room@conference.xmpp.test");
        ingressDown = true;
        homeserver.override(JOINED, 200, members(member("@alice:matrix.test", "Alice", null)));
        MemberSync sync = sync(true, 500);
        sync.tick();
        assertEquals(1, sync.pendingCount());
        ingressDown = false;
        homeserver.override(JOINED, 200, members(member("@alice:matrix.test", "Alice", null)));
        advance(MemberSync.TRANSIENT_RETRY);
        sync.tick();
        assertEquals(1, joins().size());
        assertEquals(0, sync.pendingCount());
    }

    @Test
    void aRoomThatRefusesTheBotWaitsUntilTheBotJoins() {
        map(ROOM, "room@conference.xmpp.test");
        homeserver.override("POST /_matrix/client/v3/join/" + ROOM, 403,
                "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not invited\"}");
        MemberSync sync = sync(true, 500);
        sync.tick();
        assertTrue(homeserver.calls(JOINED).isEmpty(), "not read without the bot inside");
        advance(MemberSync.TRANSIENT_RETRY);
        sync.tick();
        assertEquals(1, homeserver.calls("POST /_matrix/client/v3/join/" + ROOM).size(), "a refusal waits longer");
        // An admin invites the bot; it joins, and the homeserver reports the join.
        sync.wake(ROOM);
        homeserver.override(JOINED, 200, members(member("@alice:matrix.test", "Alice", null)));
        sync.tick();
        assertEquals(1, joins().size());
    }

    @Test
    void roomsTheBridgeCreatedAreNotRead() {
        assertTrue(portals.createGatewayRoom("#_xmpp_room=40conference.xmpp.test:matrix.test"));
        MemberSync sync = sync(true, 500);
        sync.tick();
        assertTrue(homeserver.calls("GET /_matrix/client/v3/rooms/").isEmpty(), "a new gateway room is empty");
        assertEquals(1, stores.rooms().all().size());
    }

    @Test
    void aRoomUnmappedMidwayStopsBeingAnnounced() {
        map(ROOM, "room@conference.xmpp.test");
        answer = EventIngress.Acceptance.NOT_BRIDGED;
        homeserver.override(JOINED, 200, members(member("@a:m.test", null, null), member("@b:m.test", null, null)));
        sync(true, 500).tick();
        assertEquals(1, submitted.size(), "stops at the first NOT_BRIDGED");
    }

    @Test
    void zeroMembersTurnsItOff() {
        map(ROOM, "room@conference.xmpp.test");
        sync(true, 0).tick();
        assertTrue(homeserver.calls.isEmpty());
    }
}
