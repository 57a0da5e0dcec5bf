package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.adapter.matrix.testing.RecordingIngress;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState.Status;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The running adapter announces the members of mapped rooms: at start-up and when an admin maps one. */
class MatrixAdapterMemberSyncTest {
    final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
    final BridgeStores stores = InMemoryStores.create();
    final RecordingIngress ingress = new RecordingIngress();
    MatrixAdapter adapter;

    MatrixAdapter start(boolean onStart) {
        MatrixConfig config = new MatrixConfig();
        config.setGhostNetworks(java.util.List.of("xmpp", "sip")); // the appliance derives these from its configuration
        config.setEnabled(true);
        config.setAsToken("as-token");
        config.setHsToken("hs-token");
        config.setMaxAttempts(1);
        config.setMemberSyncPause(Duration.ofMillis(20));
        config.setRoomWatchInterval(Duration.ofMillis(50));
        config.setMemberSyncOnStart(onStart);
        adapter = new MatrixAdapter(config, c -> homeserver);
        adapter.start(new AdapterContext(ingress, (n, s) -> { }, stores, Clock.systemUTC()));
        await("connected", () -> adapter.state().status() == Status.CONNECTED);
        return adapter;
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.stop();
        }
    }

    void map(String matrixRoom, String muc) {
        stores.rooms().create("m", List.of(Portal.of("matrix", matrixRoom), Portal.of("xmpp", muc)), true);
    }

    void members(String room, String... userIds) {
        StringBuilder json = new StringBuilder("{\"joined\":{");
        for (int i = 0; i < userIds.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(userIds[i]).append("\":{\"display_name\":\"n")
                    .append(i).append("\"}");
        }
        homeserver.override("GET /_matrix/client/v3/rooms/" + room + "/joined_members", 200, json.append("}}").toString());
    }

    List<UserRef> joined(String room) {
        return ingress.events.stream().filter(e -> e instanceof MembershipEvent m
                && m.membership() == MembershipEvent.Membership.JOIN && m.origin().room().value().equals(room))
                .map(e -> ((MembershipEvent) e).subject()).toList();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // polling interval, not synchronisation
        }
    }

    @Test
    void roomsMappedBeforeStartAndWhileRunningAreAnnounced() {
        map("!old:matrix.test", "old@conference.xmpp.test");
        members("!old:matrix.test", "@alice:matrix.test", "@_xmpp_bob=40xmpp.test:matrix.test", "@bridgebot:matrix.test");
        start(true);
        await("alice announced", () -> !joined("!old:matrix.test").isEmpty());
        assertEquals(List.of(UserRef.of("matrix", "@alice:matrix.test")), joined("!old:matrix.test"));
        assertEquals(Optional.of("n0"), ((MembershipEvent) ingress.events.get(0)).meta().profile().displayName());

        members("!new:matrix.test", "@carol:matrix.test");
        map("!new:matrix.test", "new@conference.xmpp.test");
        await("carol announced", () -> !joined("!new:matrix.test").isEmpty());
        assertEquals(List.of(UserRef.of("matrix", "@carol:matrix.test")), joined("!new:matrix.test"));
    }

    @Test
    void withoutTheStartUpPassOnlyNewMappingsAreAnnounced() {
        map("!old:matrix.test", "old@conference.xmpp.test");
        members("!old:matrix.test", "@alice:matrix.test");
        start(false);
        members("!new:matrix.test", "@carol:matrix.test");
        map("!new:matrix.test", "new@conference.xmpp.test");
        await("carol announced", () -> !joined("!new:matrix.test").isEmpty());
        assertTrue(joined("!old:matrix.test").isEmpty());
        assertTrue(homeserver.calls("GET /_matrix/client/v3/rooms/!old:matrix.test/joined_members").isEmpty());
    }
}
