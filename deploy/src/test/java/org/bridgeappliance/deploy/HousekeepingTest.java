package org.bridgeappliance.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.store.LateOutcomeStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.mapping.MappingDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HousekeepingTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Portal MATRIX = Portal.of("matrix", "!r:example.org");
    private static final UserRef BOB = UserRef.of("matrix", "@bob:example.org");

    private MappingDatabase db;
    private org.bridgeappliance.core.store.BridgedRoom room;

    @BeforeEach
    void open() {
        db = MappingDatabase.openH2InMemory("housekeeping-" + System.nanoTime(),
                new org.bridgeappliance.mapping.PasswordHasher());
        room = db.stores().rooms().create("r", List.of(MATRIX), true);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void message(String id, Instant at) {
        db.stores().messages().record(List.of(new MessageMapping(BridgeMessageId.of(id), room.id(), MATRIX, BOB,
                RemoteMessageId.of("$" + id), 0, true, at)));
    }

    @Test
    void retentionForgetsOnlyMessagesOlderThanTheConfiguredAge() {
        message("old", NOW.minus(Duration.ofDays(31)));
        message("recent", NOW.minus(Duration.ofDays(29)));
        new Housekeeping(db, Duration.ofDays(30), Clock.fixed(NOW, ZoneOffset.UTC)).forgetOldMessages();
        assertEquals(List.of(), db.stores().messages().copies(BridgeMessageId.of("old")));
        assertEquals(1, db.stores().messages().copies(BridgeMessageId.of("recent")).size());
    }

    private LateOutcomeStore.Pending pending(String id, Instant since) {
        MessageEvent m = MessageEvent.text(EventMeta.of(MATRIX, BOB, "$" + id, since), "hi");
        return new LateOutcomeStore.Pending(BridgeMessageId.of(id), room.id(), Portal.of("sip", "dm:" + id), m, 1,
                since);
    }

    @Test
    void pendingOutcomesNeverSettledAreForgottenAfterThirtyDaysButUnreportedFailuresKept() {
        LateOutcomeStore outcomes = db.stores().lateOutcomes();
        outcomes.await(pending("stale", NOW.minus(Duration.ofDays(31))));
        outcomes.await(pending("waiting", NOW.minus(Duration.ofDays(29))));
        LateOutcomeStore.Pending failed = pending("failed", NOW.minus(Duration.ofDays(40)));
        outcomes.await(failed);
        outcomes.settle(failed.messageId(), failed.target(), LateOutcomeStore.Outcome.failed("gone"),
                NOW.minus(Duration.ofDays(39)));

        new Housekeeping(db, Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC)).forgetStalePendingOutcomes();

        // a forgotten key is unknown: settling it again keeps the outcome as early, reporting nothing
        assertEquals(Optional.empty(), outcomes.settle(BridgeMessageId.of("stale"), Portal.of("sip", "dm:stale"),
                LateOutcomeStore.Outcome.failed("late"), NOW));
        assertTrue(outcomes.settle(BridgeMessageId.of("waiting"), Portal.of("sip", "dm:waiting"),
                LateOutcomeStore.Outcome.failed("late"), NOW).isPresent(), "29 days: still pending");
        assertEquals(List.of("failed", "waiting"), outcomes.unreported().stream()
                .map(f -> f.delivery().messageId().value()).toList());
    }

    @Test
    void zeroKeepsEverythingAndNegativeIsRefused() {
        message("ancient", NOW.minus(Duration.ofDays(3650)));
        new Housekeeping(db, Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC)).forgetOldMessages();
        assertEquals(1, db.stores().messages().copies(BridgeMessageId.of("ancient")).size());
        assertThrows(IllegalArgumentException.class,
                () -> new Housekeeping(db, Duration.ofDays(-1), Clock.systemUTC()));
    }
}
