package org.bridgeappliance.adapter.sip.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.Accepted;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.Decision;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.DialogKey;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.Ended;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.Limits;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.NoSuchSubscription;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.Notify;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.Overloaded;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.SubscribeRequest;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions.TooBrief;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The notifier's state (RFC 6665, RFC 3856) with a hand-moved clock. */
class PresenceSubscriptionsTest {
    private static final String BOB = "sip:bob*xmpp.test@xmpp.bridge.sip.test";
    private static final String CAROL = "sip:carol*matrix.test@matrix.bridge.sip.test";
    private static final String ERIN = "sip:erin@sip.test";
    private static final Optional<SipPresence> AWAY = Optional.of(SipPresence.of(Presence.AWAY, "lunch"));
    private static final Optional<SipPresence> ONLINE = Optional.of(SipPresence.of(Presence.AVAILABLE));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PresenceSubscriptions<String> subs = new PresenceSubscriptions<>(clock, new Limits(
            Duration.ofSeconds(60), Duration.ofSeconds(3600), Duration.ofSeconds(3600), 3, 10,
            Duration.ofSeconds(30), Duration.ofSeconds(40)));

    @Test
    void acceptedSubscribeAnswersExpiresThenNotifiesTheCurrentState() {
        Accepted<?> a = accepted(subs.subscribe(req(ERIN, BOB, "c1", 600, false), "dialog-1", AWAY));
        assertEquals(Duration.ofSeconds(600), a.expires());
        Notify<?> n = a.notification().orElseThrow();
        assertEquals("active;expires=600", n.subscriptionState());
        assertEquals(AWAY, n.state());
        assertEquals("dialog-1", n.dialog());
        assertEquals(1, subs.size());
        assertEquals(1, subs.watcherCount());
    }

    @Test
    void unknownStateNotifiesWithoutBody() {
        Notify<?> n = accepted(subs.subscribe(req(ERIN, CAROL, "c1", 600, false), "d", Optional.empty()))
                .notification().orElseThrow();
        assertTrue(n.state().isEmpty());
    }

    @Test
    void expiresBelowMinimumIs423AndAboveMaximumIsClamped() {
        TooBrief t = assertInstanceOf(TooBrief.class, subs.subscribe(req(ERIN, BOB, "c1", 59, false), "d", AWAY));
        assertEquals(Duration.ofSeconds(60), t.minExpires());
        assertEquals(0, subs.size());
        assertEquals(Duration.ofSeconds(3600), accepted(subs.subscribe(req(ERIN, BOB, "c2", 86400, false), "d", AWAY)).expires());
        assertEquals(Duration.ofSeconds(3600), accepted(subs.subscribe(
                new SubscribeRequest(ERIN, BOB, key("c3"), OptionalLong.empty(), false), "d", AWAY)).expires());
    }

    @Test
    void refreshExtendsTheSubscriptionAndNotifiesAgain() {
        Notify<String> first = accepted(subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d", AWAY)).notification().orElseThrow();
        assertTrue(subs.onNotifyAnswered(first.key(), 200).isEmpty());
        clock.advance(Duration.ofSeconds(500));
        Accepted<?> r = accepted(subs.subscribe(req(ERIN, BOB, "c1", 600, true), "ignored", ONLINE));
        assertTrue(r.refresh());
        Notify<?> n = r.notification().orElseThrow();
        assertEquals("active;expires=600", n.subscriptionState());
        assertEquals("d", n.dialog());
        subs.onNotifyAnswered(first.key(), 200);
        clock.advance(Duration.ofSeconds(599));
        assertTrue(subs.sweep().isEmpty(), "refreshed at 500 s for 600 s: alive at 1099 s");
        clock.advance(Duration.ofSeconds(1));
        Notify<?> end = subs.sweep().get(0);
        assertEquals("terminated;reason=timeout", end.subscriptionState());
        assertEquals(ONLINE, end.state());
        assertTrue(subs.onNotifyAnswered(first.key(), 200).isEmpty());
        assertEquals(0, subs.size());
    }

    @Test
    void expiresZeroEndsWithATerminatedNotify() {
        Notify<String> first = accepted(subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d", AWAY)).notification().orElseThrow();
        subs.onNotifyAnswered(first.key(), 200);
        Ended<?> e = assertInstanceOf(Ended.class, subs.subscribe(req(ERIN, BOB, "c1", 0, true), "d", AWAY));
        assertEquals("terminated;reason=timeout", e.notification().orElseThrow().subscriptionState());
        assertEquals(1, subs.size(), "kept until the terminated NOTIFY is answered");
        assertTrue(subs.onPresence(BOB, ONLINE).isEmpty(), "no NOTIFY after the terminated one");
        subs.onNotifyAnswered(first.key(), 200);
        assertEquals(0, subs.size());
        assertEquals(0, subs.watcherCount());
        assertEquals(0, subs.puppetCount());
    }

    @Test
    void expiresZeroWithoutSubscriptionIsAFetchAndInDialogUnknownIs481() {
        Ended<?> fetch = assertInstanceOf(Ended.class, subs.subscribe(req(ERIN, BOB, "c1", 0, false), "d", AWAY));
        assertEquals(AWAY, fetch.notification().orElseThrow().state());
        assertEquals(0, subs.size());
        assertInstanceOf(NoSuchSubscription.class, subs.subscribe(req(ERIN, BOB, "c2", 600, true), "d", AWAY));
        assertInstanceOf(NoSuchSubscription.class, subs.subscribe(req(ERIN, BOB, "c2", 0, true), "d", AWAY));
    }

    @Test
    void notifyInFlightCoalescesThreeUpdatesIntoOneFollowUp() {
        Notify<String> first = accepted(subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d", ONLINE)).notification().orElseThrow();
        assertTrue(subs.onPresence(BOB, AWAY).isEmpty());
        assertTrue(subs.onPresence(BOB, Optional.of(SipPresence.of(Presence.DO_NOT_DISTURB))).isEmpty());
        Optional<SipPresence> newest = Optional.of(SipPresence.of(Presence.OFFLINE));
        assertTrue(subs.onPresence(BOB, newest).isEmpty());
        clock.advance(Duration.ofSeconds(10));
        Notify<String> follow = subs.onNotifyAnswered(first.key(), 200).orElseThrow();
        assertEquals(newest, follow.state());
        assertEquals("active;expires=590", follow.subscriptionState(), "remaining time computed when sent");
        assertTrue(subs.onNotifyAnswered(first.key(), 200).isEmpty(), "exactly one follow-up");
        assertEquals(1, subs.onPresence(BOB, AWAY).size(), "idle again: the next change goes out at once");
    }

    @Test
    void presenceChangesReachOnlyThatPuppetsWatchers() {
        subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d1", ONLINE);
        subs.subscribe(req("sip:frank@sip.test", BOB, "c2", 600, false), "d2", ONLINE);
        subs.subscribe(req(ERIN, CAROL, "c3", 600, false), "d3", ONLINE);
        subs.onNotifyAnswered(key("c1"), 200);
        subs.onNotifyAnswered(key("c2"), 200);
        subs.onNotifyAnswered(key("c3"), 200);
        List<Notify<String>> out = subs.onPresence(BOB, AWAY);
        assertEquals(List.of("d1", "d2"), out.stream().map(Notify::dialog).sorted().toList());
        assertEquals(2, subs.watcherCount());
        assertEquals(2, subs.puppetCount());
    }

    @Test
    void aFailedOrTimedOutNotifyRemovesTheSubscription() {
        subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d1", ONLINE);
        subs.subscribe(req(ERIN, BOB, "c2", 600, false), "d2", ONLINE);
        assertTrue(subs.onNotifyAnswered(key("c1"), 481).isEmpty());
        subs.onNotifyTimeout(key("c2"));
        assertEquals(0, subs.size());
        assertTrue(subs.onPresence(BOB, AWAY).isEmpty());
    }

    @Test
    void aNotifyNeverAnsweredIsGivenUpBySweep() {
        subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d1", ONLINE);
        clock.advance(Duration.ofSeconds(39));
        subs.sweep();
        assertEquals(1, subs.size());
        clock.advance(Duration.ofSeconds(1));
        subs.sweep();
        assertEquals(0, subs.size());
    }

    @Test
    void fiveThousandDistinctSubscriptionsStayBoundedByTheCaps() {
        PresenceSubscriptions<String> big = new PresenceSubscriptions<>(clock, Limits.defaults());
        Notify<String> kept = accepted(big.subscribe(req(ERIN, BOB, "keep", 600, false), "keep", ONLINE)).notification().orElseThrow();
        big.onNotifyAnswered(kept.key(), 200);
        int accepted = 0;
        int overloaded = 0;
        for (int i = 0; i < 5000; i++) {
            // one flooding phone with distinct Call-IDs: the per-watcher cap
            Decision d = big.subscribe(req("sip:flood@sip.test", BOB, "f" + i, 600, false), "f" + i, ONLINE);
            if (d instanceof Accepted<?>) {
                accepted++;
            } else {
                assertEquals(Duration.ofSeconds(60), assertInstanceOf(Overloaded.class, d).retryAfter());
                overloaded++;
            }
        }
        assertEquals(Limits.defaults().maxPerWatcher(), accepted);
        assertEquals(5000 - accepted, overloaded);
        for (int i = 0; i < 5000; i++) {
            // 5,000 distinct watchers: the total cap
            big.subscribe(req("sip:w" + i + "@sip.test", CAROL, "w" + i, 600, false), "w" + i, ONLINE);
        }
        assertEquals(Limits.defaults().maxTotal(), big.size());
        assertEquals(10_000 - (Limits.defaults().maxTotal() - 1), big.refusedCount());
        // the subscription from before the flood still gets its NOTIFYs
        assertTrue(big.onPresence(BOB, AWAY).stream().anyMatch(n -> n.dialog().equals("keep")));
        // and a refresh of an existing one is not refused by the caps
        assertInstanceOf(Accepted.class, big.subscribe(req(ERIN, BOB, "keep", 600, true), "keep", AWAY));
    }

    @Test
    void terminateAllEndsEverySubscription() {
        subs.subscribe(req(ERIN, BOB, "c1", 600, false), "d1", ONLINE);
        subs.onNotifyAnswered(key("c1"), 200);
        subs.subscribe(req(ERIN, CAROL, "c2", 600, false), "d2", ONLINE);
        List<Notify<String>> out = subs.terminateAll();
        assertEquals(1, out.size(), "c2 has a NOTIFY in flight: its terminated one waits");
        assertEquals("terminated;reason=deactivated", out.get(0).subscriptionState());
        Notify<String> waited = subs.onNotifyAnswered(key("c2"), 200).orElseThrow();
        assertTrue(waited.terminated());
        assertTrue(subs.onNotifyAnswered(key("c1"), 200).isEmpty());
        assertFalse(subs.contains(key("c1")));
        assertTrue(subs.onNotifyAnswered(key("c2"), 200).isEmpty());
        assertEquals(0, subs.size());
    }

    private static Accepted<String> accepted(Decision d) {
        @SuppressWarnings("unchecked")
        Accepted<String> a = assertInstanceOf(Accepted.class, d);
        return a;
    }

    private static SubscribeRequest req(String watcher, String puppet, String callId, long expires, boolean inDialog) {
        return new SubscribeRequest(watcher, puppet, key(callId), OptionalLong.of(expires), inDialog);
    }

    private static DialogKey key(String callId) {
        return new DialogKey(callId, "tag-" + callId);
    }
}
