package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.RoomDirectory;
import org.bridgeappliance.core.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoomDirectoryTest {
    private static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final Portal SIP = Portal.of("sip", "sip:lobby@bridge.sip.test");

    private MappingDatabase db;
    private RoomDirectory rooms;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        rooms = db.stores().rooms();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void createdRoomIsFoundByIdAndByEachPortal() {
        BridgedRoom room = rooms.create("Lobby", List.of(MUC, MATRIX), true);

        assertEquals(Optional.of(room), rooms.find(room.id()));
        assertEquals(Optional.of(room), rooms.findByPortal(MUC));
        assertEquals(Optional.of(room), rooms.findByPortal(MATRIX));
        assertEquals(Optional.empty(), rooms.findByPortal(SIP));
        assertEquals(Optional.empty(), rooms.findByPortal(Portal.of("matrix", "lobby@conference.example.org")),
                "the same remote room name on another network is another portal");
        assertEquals(List.of(room), rooms.all());
    }

    @Test
    void eachCreateGetsAFreshId() {
        BridgedRoom a = rooms.create("A", List.of(MUC), true);
        BridgedRoom b = rooms.create("B", List.of(MATRIX), false);
        assertNotEquals(a.id(), b.id());
        assertEquals(List.of(a, b), rooms.all());
    }

    @Test
    void aPortalInTwoRoomsIsAConflictAndNothingOfTheSecondRoomIsWritten() {
        BridgedRoom first = rooms.create("First", List.of(MUC), true);

        assertThrows(StoreConflictException.class, () -> rooms.create("Second", List.of(MATRIX, MUC), true));

        assertEquals(List.of(first), rooms.all());
        assertEquals(Optional.empty(), rooms.findByPortal(MATRIX), "the transaction rolled back the other portal");
    }

    @Test
    void updateReplacesNamePortalsAndFlag() {
        BridgedRoom room = rooms.create("Lobby", List.of(MUC, MATRIX), true);
        BridgedRoom changed = new BridgedRoom(room.id(), "Hall", List.of(MATRIX, SIP), false);

        assertEquals(changed, rooms.update(changed));

        assertEquals(Optional.of(changed), rooms.find(room.id()));
        assertEquals(Optional.empty(), rooms.findByPortal(MUC), "the dropped portal is free again");
        assertEquals(Optional.of(changed), rooms.findByPortal(SIP));
        BridgedRoom other = rooms.create("Other", List.of(MUC), true);
        assertEquals(Optional.of(other), rooms.findByPortal(MUC));
    }

    @Test
    void updateTakingAnotherRoomsPortalIsAConflictAndKeepsTheOldState() {
        BridgedRoom a = rooms.create("A", List.of(MUC), true);
        BridgedRoom b = rooms.create("B", List.of(MATRIX), true);

        assertThrows(StoreConflictException.class,
                () -> rooms.update(new BridgedRoom(b.id(), "B2", List.of(MATRIX, MUC), true)));

        assertEquals(Optional.of(b), rooms.find(b.id()), "rolled back, portals included");
        assertEquals(Optional.of(a), rooms.findByPortal(MUC));
    }

    @Test
    void updateOfAnUnknownRoomThrows() {
        assertThrows(NoSuchElementException.class,
                () -> rooms.update(new BridgedRoom(RoomId.of("nope"), "x", List.of(MUC), true)));
        assertEquals(Optional.empty(), rooms.findByPortal(MUC));
    }

    @Test
    void deleteRemovesRoomAndPortals() {
        BridgedRoom room = rooms.create("Lobby", List.of(MUC, MATRIX), true);

        assertTrue(rooms.delete(room.id()));
        assertFalse(rooms.delete(room.id()));

        assertEquals(Optional.empty(), rooms.find(room.id()));
        assertEquals(Optional.empty(), rooms.findByPortal(MUC));
        assertEquals(List.of(), rooms.all());
        rooms.create("Again", List.of(MUC), true);
    }

    @Test
    void roomWithoutPortalsRoundTrips() {
        BridgedRoom room = rooms.create("Empty", List.of(), false);
        assertEquals(Optional.of(room), rooms.find(room.id()));
    }

    @Test
    void theCacheNeverHidesAWrite() {
        // Warm the cache, then write and read back at once, many times over.
        BridgedRoom room = rooms.create("R", List.of(MUC), true);
        for (int i = 0; i < 50; i++) {
            assertTrue(rooms.find(room.id()).isPresent());
            room = rooms.update(new BridgedRoom(room.id(), "R" + i, List.of(i % 2 == 0 ? MATRIX : MUC), i % 3 == 0));
            assertEquals(Optional.of(room), rooms.find(room.id()));
            assertEquals(Optional.of(room), rooms.findByPortal(room.portals().get(0)));
        }
    }

    @Test
    void concurrentReadersSeeConsistentRoomsAndTheLastWriteWins() throws Exception {
        BridgedRoom room = rooms.create("R", List.of(MUC), true);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Portal probe = r % 2 == 0 ? MUC : MATRIX;
                results.add(readers.submit(() -> {
                    int reads = 0;
                    while (writing.get()) {
                        Optional<BridgedRoom> found = rooms.findByPortal(probe);
                        // Whatever version is seen, it must really hold the portal it was found by.
                        found.ifPresent(b -> assertTrue(b.portals().contains(probe), b.toString()));
                        reads++;
                    }
                    return reads;
                }));
            }
            for (int i = 0; i < 40; i++) {
                room = rooms.update(new BridgedRoom(room.id(), "R" + i, List.of(i % 2 == 0 ? MATRIX : MUC), true));
            }
            writing.set(false);
            for (java.util.concurrent.Future<Integer> f : results) {
                assertTrue(f.get(30, java.util.concurrent.TimeUnit.SECONDS) > 0);
            }
        } finally {
            readers.shutdownNow();
        }
        assertEquals(Optional.of(room), rooms.findByPortal(MUC));
        assertEquals(Optional.empty(), rooms.findByPortal(MATRIX));
        assertEquals(List.of(room), rooms.all());
    }

    @Test
    void overlongNamesAndNetworksAreRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> rooms.create("n".repeat(256), List.of(MUC), true));
        assertThrows(IllegalArgumentException.class,
                () -> rooms.create("ok", List.of(Portal.of("n".repeat(65), "room")), true));
        assertEquals(List.of(), rooms.all());
    }
}
