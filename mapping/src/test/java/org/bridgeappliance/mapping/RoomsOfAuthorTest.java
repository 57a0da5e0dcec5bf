package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** The rooms a puppet spoke in (the admin UI's puppet view), from the message map, in the database and in memory. */
class RoomsOfAuthorTest {
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@xmpp.test");
    private static final UserRef BOB = UserRef.of("xmpp", "bob@xmpp.test");
    private static final Network MATRIX = Network.of("matrix");

    @Test
    void theDatabaseFindsTheRoomsOfAnAuthorsCopiesOnANetwork() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            check(db.stores().messages());
        }
    }

    @Test
    void theInMemoryStoreFindsTheSame() {
        check(InMemoryStores.create().messages());
    }

    private static void check(MessageMapStore map) {
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        RoomId one = RoomId.of("one");
        RoomId two = RoomId.of("two");
        RoomId three = RoomId.of("three");
        map.record(List.of(copy("m1", one, "xmpp", "a@c", ALICE, "x1", true, t),
                copy("m1", one, "matrix", "!a:m", ALICE, "$1", false, t)));
        map.record(List.of(copy("m2", one, "matrix", "!a:m", ALICE, "$2", false, t))); // the same room again
        map.record(List.of(copy("m3", two, "matrix", "!b:m", ALICE, "$3", false, t)));
        map.record(List.of(copy("m4", three, "matrix", "!c:m", BOB, "$4", false, t))); // someone else
        map.record(List.of(copy("m5", three, "xmpp", "c@c", ALICE, "x5", true, t))); // her own, not a copy
        assertEquals(Set.of(one, two), Set.copyOf(map.roomsWithCopiesBy(ALICE, MATRIX, 10)));
        assertEquals(List.of(), map.roomsWithCopiesBy(ALICE, Network.of("xmpp"), 10));
        assertEquals(1, map.roomsWithCopiesBy(ALICE, MATRIX, 1).size(), "at most limit");
    }

    private static MessageMapping copy(String id, RoomId room, String network, String remoteRoom, UserRef author,
                                       String remoteId, boolean origin, Instant at) {
        return new MessageMapping(BridgeMessageId.of(id), room, Portal.of(network, remoteRoom), author,
                RemoteMessageId.of(remoteId), 0, origin, at);
    }
}
