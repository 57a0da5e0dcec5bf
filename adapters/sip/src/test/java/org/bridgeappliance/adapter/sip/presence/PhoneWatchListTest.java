package org.bridgeappliance.adapter.sip.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Action;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Added;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.DialogId;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Kind;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Probe;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Reason;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Refresh;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Response;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Settings;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Subscribe;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.SubscriptionState;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList.Unsubscribe;
import org.bridgeappliance.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The subscriber's state (RFC 6665 §4.1) with a hand-moved clock. */
class PhoneWatchListTest {
    private static final String ERIN = "sip:erin@sip.test";
    private static final String FRANK = "sip:frank@sip.test";
    private static final Reason ROOM = new Reason(Kind.ROOM_MEMBER, "!room:matrix.test");
    private static final Reason DM = new Reason(Kind.DIRECT_CHAT, "dm-1");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicInteger counter = new AtomicInteger();
    private final PhoneWatchList list = new PhoneWatchList(clock, new Settings(Duration.ofSeconds(600),
            Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(40), 3),
            () -> "id" + counter.incrementAndGet());

    @Test
    void aNewAorIsSubscribedAtOnceAndRefreshedBeforeExpiry() {
        assertEquals(Added.NEW, list.add(ERIN, ROOM));
        Subscribe s = only(Subscribe.class, list.due());
        assertEquals(new DialogId("id1", "id2"), s.dialog());
        assertEquals(Duration.ofSeconds(600), s.expires());
        assertTrue(list.due().isEmpty(), "pending: not sent twice");
        list.onResponse(s.dialog(), Response.ok(300));
        assertEquals(1, list.activeCount());
        assertEquals(Optional.of(clock.instant().plusSeconds(240)), list.nextDue());
        clock.advance(Duration.ofSeconds(239));
        assertTrue(list.due().isEmpty());
        clock.advance(Duration.ofSeconds(1));
        Refresh r = only(Refresh.class, list.due());
        assertEquals(s.dialog(), r.dialog(), "a refresh stays in the dialog");
        list.onResponse(r.dialog(), Response.ok(600));
        assertEquals(Optional.of(clock.instant().plusSeconds(540)), list.nextDue());
        assertEquals(0, list.failingCount());
    }

    @Test
    void aShortGrantIsRefreshedAtHalfTimeNotAfterExpiry() {
        list.add(ERIN, ROOM);
        Subscribe s = only(Subscribe.class, list.due());
        list.onResponse(s.dialog(), Response.ok(40));
        assertEquals(Optional.of(clock.instant().plusSeconds(20)), list.nextDue());
    }

    @Test
    void aNotifyBeforeTheSubscribes2xxIsAccepted() {
        list.add(ERIN, ROOM);
        Subscribe s = only(Subscribe.class, list.due());
        PhoneWatchList.NotifyVerdict v = list.onNotify(s.dialog(), SubscriptionState.active(600));
        assertTrue(v.accepted());
        assertEquals(Optional.of(ERIN), v.aor());
        assertEquals(1, list.activeCount());
        list.onResponse(s.dialog(), Response.ok(600));
        assertEquals(1, list.activeCount());
        assertTrue(list.due().isEmpty(), "the late 2xx does not cause a second SUBSCRIBE");
        assertFalse(list.onNotify(new DialogId("id1", "other-tag"), SubscriptionState.active(600)).accepted(),
                "a NOTIFY of a dialog the appliance never made gets 481");
    }

    @Test
    void a481OnRefreshSubscribesAgainAtOnceWithANewDialog() {
        DialogId first = activate(ERIN);
        clock.advance(Duration.ofSeconds(540));
        Refresh r = only(Refresh.class, list.due());
        list.onResponse(r.dialog(), Response.of(481));
        Subscribe again = only(Subscribe.class, list.due());
        assertNotEquals(first, again.dialog());
        assertFalse(list.onNotify(first, SubscriptionState.active(60)).accepted(), "the old dialog is refused");
        list.onResponse(again.dialog(), Response.ok(600));
        assertEquals(0, list.failingCount());
    }

    @Test
    void timeoutsBackOffExponentiallyUpToTheMaximum() {
        list.add(ERIN, ROOM);
        long[] waits = {5, 10, 20, 40, 60, 60};
        Subscribe s = only(Subscribe.class, list.due());
        for (long wait : waits) {
            list.onTimeout(s.dialog());
            assertEquals(1, list.failingCount());
            clock.advance(Duration.ofSeconds(wait - 1));
            assertTrue(list.due().isEmpty(), "not before " + wait + " s");
            clock.advance(Duration.ofSeconds(1));
            s = only(Subscribe.class, list.due());
        }
        list.onResponse(s.dialog(), Response.ok(600));
        assertEquals(0, list.failingCount());
    }

    @Test
    void anUnansweredSubscribeCountsAsTimedOut() {
        list.add(ERIN, ROOM);
        only(Subscribe.class, list.due());
        clock.advance(Duration.ofSeconds(40));
        assertTrue(list.due().isEmpty());
        assertEquals(1, list.failingCount());
        clock.advance(Duration.ofSeconds(5));
        only(Subscribe.class, list.due());
    }

    @Test
    void aTerminatedNotifySubscribesAgain() {
        DialogId d = activate(ERIN);
        assertTrue(list.onNotify(d, SubscriptionState.terminated("deactivated")).accepted());
        DialogId d2 = only(Subscribe.class, list.due()).dialog();
        list.onResponse(d2, Response.ok(600));
        // rejected: not at once, after the backoff
        assertTrue(list.onNotify(d2, SubscriptionState.terminated("rejected")).accepted());
        assertTrue(list.due().isEmpty());
        clock.advance(Duration.ofSeconds(5));
        only(Subscribe.class, list.due());
    }

    @Test
    void aProxyRestartSubscribesEveryAorAgain() {
        DialogId e = activate(ERIN);
        DialogId f = activate(FRANK);
        list.onProxyRestart();
        List<Action> again = list.due();
        assertEquals(List.of(ERIN, FRANK), again.stream().map(Action::aor).toList());
        assertTrue(again.stream().allMatch(a -> a instanceof Subscribe));
        assertTrue(again.stream().noneMatch(a -> a.dialog().equals(e) || a.dialog().equals(f)));
        assertEquals(0, list.activeCount());
    }

    @Test
    void aProbeRefreshesTheOldestLiveSubscriptionAndIts481SubscribesEveryAorAgainAtOnce() {
        assertTrue(list.probe().isEmpty(), "nothing live: nothing to probe");
        DialogId e = activate(ERIN);
        clock.advance(Duration.ofSeconds(10));
        DialogId f = activate(FRANK);
        Probe p = list.probe().orElseThrow();
        assertEquals(ERIN, p.aor(), "the subscription refreshed longest ago");
        assertEquals(e, p.dialog(), "in its dialog");
        assertTrue(list.probe().map(Probe::dialog).filter(f::equals).isPresent(), "then the next one");
        assertEquals(List.of(e, f), list.onResponse(p.dialog(), Response.of(481)),
                "every dialog is given up, not only the probed one");
        List<Action> again = list.due();
        assertEquals(List.of(ERIN, FRANK), again.stream().map(Action::aor).toList());
        assertTrue(again.stream().allMatch(a -> a instanceof Subscribe), again.toString());
        assertEquals(0, list.failingCount(), "a restart is not a failure of the phones");
    }

    @Test
    void aProbeAnswered2xxKeepsTheSubscriptionAndAnOrdinaryRefreshs481ResubscribesOnlyItsAor() {
        DialogId e = activate(ERIN);
        DialogId f = activate(FRANK);
        Probe p = list.probe().orElseThrow();
        assertEquals(List.of(), list.onResponse(p.dialog(), Response.ok(600)));
        assertEquals(2, list.activeCount());
        assertTrue(list.due().isEmpty(), "nothing due after a good probe");
        clock.advance(Duration.ofSeconds(540));
        List<Action> refreshes = list.due();
        assertEquals(2, refreshes.size());
        assertTrue(refreshes.stream().allMatch(a -> a instanceof Refresh), refreshes.toString());
        assertEquals(List.of(), list.onResponse(e, Response.of(481)), "a refresh's 481 is about its own dialog");
        list.onResponse(f, Response.ok(600));
        assertEquals(List.of(ERIN), list.due().stream().map(Action::aor).toList());
    }

    @Test
    void aProbeThatCannotBeSentStartsANewDialogForItsAorOnly() {
        DialogId e = activate(ERIN);
        activate(FRANK);
        Probe p = list.probe().orElseThrow();
        list.onProbeNotSent(p.dialog());
        Subscribe s = only(Subscribe.class, list.due());
        assertEquals(p.aor(), s.aor());
        assertNotEquals(e, s.dialog());
        assertEquals(1, list.activeCount());
    }

    @Test
    void a423IsRetriedWithMinExpires() {
        list.add(ERIN, ROOM);
        Subscribe s = only(Subscribe.class, list.due());
        list.onResponse(s.dialog(), new Response(423, OptionalLong.empty(), OptionalLong.of(1800), OptionalLong.empty()));
        assertEquals(Duration.ofSeconds(1800), only(Subscribe.class, list.due()).expires());
    }

    @Test
    void aRetryAfterLongerThanTheBackoffIsHonoured() {
        list.add(ERIN, ROOM);
        Subscribe s = only(Subscribe.class, list.due());
        list.onResponse(s.dialog(), new Response(503, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(30)));
        clock.advance(Duration.ofSeconds(29));
        assertTrue(list.due().isEmpty());
        clock.advance(Duration.ofSeconds(1));
        only(Subscribe.class, list.due());
    }

    @Test
    void anAorIsUnsubscribedWhenItsLastReasonGoes() {
        DialogId d = activate(ERIN);
        assertEquals(Added.KNOWN, list.add(ERIN, DM));
        assertTrue(list.remove(ERIN, ROOM).isEmpty(), "still in a DM");
        assertEquals(List.of(ERIN), list.aorsFor(DM));
        Unsubscribe u = list.remove(ERIN, DM).orElseThrow();
        assertEquals(d, u.dialog());
        assertEquals(0, list.watchedCount());
        assertFalse(list.onNotify(d, SubscriptionState.terminated("timeout")).accepted());
        list.add(FRANK, ROOM);
        assertTrue(list.removeEverywhere(ROOM).isEmpty(), "never subscribed: nothing to un-SUBSCRIBE");
        assertEquals(Optional.empty(), list.nextDue());
    }

    @Test
    void theWatchListIsCapped() {
        list.add("sip:a@x", ROOM);
        list.add("sip:b@x", ROOM);
        list.add("sip:c@x", ROOM);
        assertEquals(Added.FULL, list.add("sip:d@x", ROOM));
        assertEquals(3, list.watchedCount());
    }

    @Test
    void stopAllUnsubscribesEveryDialog() {
        DialogId d = activate(ERIN);
        list.add(FRANK, ROOM);
        assertEquals(List.of(new Unsubscribe(ERIN, d)), list.stopAll());
        assertEquals(0, list.watchedCount());
    }

    private DialogId activate(String aor) {
        list.add(aor, ROOM);
        Subscribe s = only(Subscribe.class, list.due());
        list.onResponse(s.dialog(), Response.ok(600));
        return s.dialog();
    }

    private static <T extends Action> T only(Class<T> type, List<Action> actions) {
        assertEquals(1, actions.size(), () -> "expected one action, got " + actions);
        return assertInstanceOf(type, actions.get(0));
    }
}
