package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.OutboxStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxStoreTest {
    private static final RoomId ROOM = RoomId.of("room-1");
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final Portal SIP = Portal.of("sip", "sip:lobby@bridge.sip.test");

    @Test
    void appendPendingInOrderMarkDoneAndComplete() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            OutboxStore outbox = db.stores().outbox();
            List<RoomEvent> events = TestEvents.full();
            Instant before = Instant.now().minus(Duration.ofSeconds(1));
            OutboxEntry first = outbox.append(ROOM, BridgeMessageId.of("m1"), events.get(0));
            OutboxEntry second = outbox.append(ROOM, BridgeMessageId.of("m2"), events.get(1));
            OutboxEntry third = outbox.append(RoomId.of("room-2"), BridgeMessageId.of("m3"), events.get(2));
            assertTrue(first.sequence() < second.sequence() && second.sequence() < third.sequence());
            assertTrue(first.acceptedAt().isAfter(before));
            assertEquals(Set.of(), first.delivered());

            assertEquals(List.of(first, second, third), outbox.pending(), "in sequence order, events decoded");
            assertTrue(outbox.containsPending(BridgeMessageId.of("m2")));

            outbox.markDone(second.sequence(), MATRIX);
            outbox.markDone(second.sequence(), MATRIX); // idempotent
            outbox.markDone(second.sequence(), SIP);
            OutboxEntry secondNow = outbox.pending().get(1);
            assertEquals(Set.of(MATRIX, SIP), secondNow.delivered());
            assertEquals(Set.of(), outbox.pending().get(0).delivered(), "marks belong to their entry");

            outbox.complete(second.sequence());
            assertEquals(List.of(first.sequence(), third.sequence()),
                    outbox.pending().stream().map(OutboxEntry::sequence).toList());
            assertFalse(outbox.containsPending(BridgeMessageId.of("m2")));
            outbox.markDone(second.sequence(), MATRIX); // late mark of a completed entry: harmless no-op
            outbox.complete(second.sequence()); // completing twice too
            assertEquals(2, outbox.pending().size());
        }
    }

    @Test
    void entriesAndMarksSurviveClosingAndReopeningTheFile(@TempDir Path dir) {
        OutboxEntry kept;
        try (MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            OutboxStore outbox = db.stores().outbox();
            kept = outbox.append(ROOM, BridgeMessageId.of("m1"), TestEvents.full().get(0));
            OutboxEntry done = outbox.append(ROOM, BridgeMessageId.of("m2"), TestEvents.full().get(3));
            outbox.markDone(kept.sequence(), MATRIX);
            outbox.complete(done.sequence());
        }
        try (MappingDatabase reopened = MappingDatabase.openH2File(dir,
                new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            List<OutboxEntry> pending = reopened.stores().outbox().pending();
            assertEquals(1, pending.size());
            OutboxEntry entry = pending.get(0);
            assertEquals(kept.sequence(), entry.sequence());
            assertEquals(kept.event(), entry.event());
            assertEquals(kept.acceptedAt(), entry.acceptedAt());
            assertEquals(Set.of(MATRIX), entry.delivered());
            OutboxEntry next = reopened.stores().outbox().append(ROOM, BridgeMessageId.of("m3"), TestEvents.full().get(4));
            assertTrue(next.sequence() > kept.sequence(), "sequence keeps increasing after a restart");
        }
    }

    @Test
    void anUndecodableRowIsSkippedAndKeptTheOthersReplay() throws SQLException {
        JdbcConnectionPool pool = H2DataSources.inMemory("outbox-bad-row");
        try (MappingDatabase db = MappingDatabase.open(pool, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            OutboxStore outbox = db.stores().outbox();
            OutboxEntry good = outbox.append(ROOM, BridgeMessageId.of("good"), TestEvents.minimal().get(0));
            OutboxEntry bad = outbox.append(ROOM, BridgeMessageId.of("bad"), TestEvents.minimal().get(1));
            try (Connection c = pool.getConnection();
                 PreparedStatement s = c.prepareStatement("UPDATE outbox SET event_json = ? WHERE seq = ?")) {
                s.setString(1, "{\"v\":99,\"type\":\"hologram\"}");
                s.setLong(2, bad.sequence());
                assertEquals(1, s.executeUpdate());
            }
            assertEquals(List.of(good), outbox.pending());
            assertTrue(outbox.containsPending(BridgeMessageId.of("bad")), "left in place for an operator");
        } finally {
            try (Connection c = pool.getConnection()) {
                c.createStatement().execute("SHUTDOWN");
            }
            pool.dispose();
        }
    }

    @Test
    void anOversizedEventIsRefusedBeforeAnythingIsStored() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            OutboxStore outbox = db.stores().outbox();
            RoomEvent huge = new MessageEvent(TestEvents.minimalMeta(), MessageKind.TEXT,
                    MessageBody.plain("x".repeat(EventCodec.MAX_DOCUMENT_LENGTH)), List.of(), Optional.empty());
            assertThrows(EventCodecException.class, () -> outbox.append(ROOM, BridgeMessageId.of("big"), huge));
            assertEquals(List.of(), outbox.pending());
        }
    }
}
