package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.OutboxStore;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** The outbox's exact counts (dashboard depth, per-room backlog), in the database and in memory alike. */
class OutboxCountTest {
    private static final RoomId ROOM = RoomId.of("room-1");
    private static final RoomId OTHER = RoomId.of("room-2");

    @Test
    void theDatabaseCountsPendingEntriesInTotalAndPerRoom() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            check(db.stores().outbox());
        }
    }

    @Test
    void theInMemoryStoreCountsTheSame() {
        check(InMemoryStores.create().outbox());
    }

    private static void check(OutboxStore outbox) {
        assertEquals(0, outbox.countPending());
        assertEquals(Map.of(), outbox.countPendingByRoom());
        List<RoomEvent> events = TestEvents.full();
        OutboxEntry first = outbox.append(ROOM, BridgeMessageId.of("m1"), events.get(0));
        outbox.append(ROOM, BridgeMessageId.of("m2"), events.get(1));
        outbox.append(OTHER, BridgeMessageId.of("m3"), events.get(2));
        assertEquals(3, outbox.countPending());
        assertEquals(Map.of(ROOM, 2L, OTHER, 1L), outbox.countPendingByRoom());
        outbox.complete(first.sequence());
        assertEquals(2, outbox.countPending());
        assertEquals(Map.of(ROOM, 1L, OTHER, 1L), outbox.countPendingByRoom());
    }
}
