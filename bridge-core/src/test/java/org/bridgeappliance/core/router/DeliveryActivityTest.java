package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.bridgeappliance.core.testing.Conditions.eventually;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.router.DeliveryActivity.Pair;
import org.bridgeappliance.core.router.DeliveryActivity.PerMinute;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryActivityTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example");
    private static final Network XMPP = Network.of("xmpp");
    private static final Network MATRIX = Network.of("matrix");
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:30Z");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));
    private Router router;

    @AfterEach
    void tearDown() {
        if (router != null) {
            router.close();
        }
    }

    @Test
    void deliveriesAreCountedPerMinutePerPairForTheLastHour() {
        DeliveryActivity a = new DeliveryActivity();
        RoomId room = RoomId.of("r1");
        a.delivered(room, XMPP, M, T0.minus(Duration.ofMinutes(61))); // older than the hour: not shown
        a.delivered(room, XMPP, M, T0.minus(Duration.ofMinutes(59)));
        a.delivered(room, XMPP, M, T0.minusSeconds(20));
        a.delivered(room, XMPP, M, T0);
        a.delivered(room, MATRIX, X, T0.minus(Duration.ofMinutes(2)));

        Map<Pair, PerMinute> series = a.deliveredPerMinute(T0);
        assertEquals(List.of(new Pair(MATRIX, XMPP), new Pair(XMPP, MATRIX)), List.copyOf(series.keySet()));
        List<Long> xm = series.get(new Pair(XMPP, MATRIX)).counts();
        assertEquals(DeliveryActivity.MINUTES, xm.size());
        assertEquals(1L, xm.get(0), "59 minutes ago is the oldest minute shown");
        assertEquals(2L, xm.get(59), "this minute");
        assertEquals(3L, series.get(new Pair(XMPP, MATRIX)).total());
        assertEquals(1L, series.get(new Pair(MATRIX, XMPP)).counts().get(57));
        assertEquals(1L, series.get(new Pair(MATRIX, XMPP)).total());

        // an hour later the old minute's slot is reused, not added to
        a.delivered(room, XMPP, M, T0.plus(Duration.ofMinutes(60)));
        assertEquals(1L, a.deliveredPerMinute(T0.plus(Duration.ofMinutes(60))).get(new Pair(XMPP, MATRIX)).total());
    }

    @Test
    void aRoomKeepsItsLastDeliveryAndItsLastFailure() {
        DeliveryActivity a = new DeliveryActivity();
        RoomId room = RoomId.of("r1");
        assertTrue(a.room(room).lastDelivery().isEmpty());
        assertTrue(a.room(room).lastFailure().isEmpty());
        a.delivered(room, XMPP, M, T0);
        a.failed(room, X, "rejected: forbidden", T0.plusSeconds(5));
        a.failed(room, M, "x".repeat(2000), T0.plusSeconds(6));
        a.delivered(room, XMPP, M, T0.plusSeconds(7));
        assertEquals(T0.plusSeconds(7), a.room(room).lastDelivery().orElseThrow());
        DeliveryActivity.Failure f = a.room(room).lastFailure().orElseThrow();
        assertEquals(M, f.target());
        assertEquals(T0.plusSeconds(6), f.at());
        assertTrue(f.reason().length() <= 501, "long reasons are cut");
        assertEquals(2L, a.failedPerMinute(T0.plusSeconds(6)).total());
        assertEquals(Collections.nCopies(60, 0L), a.retriedPerMinute(T0).counts());
    }

    @Test
    void onlyTheRoomsUpdatedMostRecentlyAreKept() {
        DeliveryActivity a = new DeliveryActivity();
        RoomId first = RoomId.of("first");
        RoomId second = RoomId.of("second");
        a.delivered(first, XMPP, M, T0);
        a.delivered(second, XMPP, M, T0);
        for (int i = 0; i < DeliveryActivity.MAX_ROOMS - 2; i++) {
            a.delivered(RoomId.of("r" + i), XMPP, M, T0);
        }
        a.failed(first, M, "refreshed", T0.plusSeconds(1)); // updated again: now the newest
        a.delivered(RoomId.of("one too many"), XMPP, M, T0.plusSeconds(2));
        assertTrue(a.room(second).lastDelivery().isEmpty(), "the room quiet the longest is forgotten");
        assertEquals(T0, a.room(first).lastDelivery().orElseThrow(), "kept with its delivery");
        assertTrue(a.room(RoomId.of("one too many")).lastDelivery().isPresent());
    }

    @Test
    void theRouterRecordsDeliveriesRetriesAndFailures() {
        BridgeStores stores = InMemoryStores.create();
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        BridgedRoom room = stores.rooms().create("lobby", List.of(X, M), true);
        matrix.then(RecordingAdapter.transientFailure(), RecordingAdapter.permanentFailure());
        router = new Router(stores, List.of(xmpp, matrix), FAST, Clock.systemUTC());
        router.start();
        router.submit(TestEvents.in(X).text("x1", "refused after a retry"));
        xmpp.awaitFailures(1, T);
        router.submit(TestEvents.in(X).text("x2", "delivered"));
        matrix.awaitDeliveries(1, T);
        DeliveryActivity a = router.metrics().activity();
        eventually(() -> a.room(room.id()).lastDelivery().isPresent(), T, "the delivery recorded");
        Instant now = Instant.now();
        assertEquals(1L, a.deliveredPerMinute(now).get(new Pair(XMPP, MATRIX)).total());
        assertEquals(1L, a.retriedPerMinute(now).total());
        assertEquals(1L, a.failedPerMinute(now).total());
        DeliveryActivity.Failure failure = a.room(room.id()).lastFailure().orElseThrow();
        assertEquals(M, failure.target());
        assertTrue(failure.reason().startsWith("rejected"), failure.reason());
    }
}
