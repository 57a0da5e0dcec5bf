package org.bridgeappliance.adapter.xmpp.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.testing.LimitsBuilder;
import org.bridgeappliance.core.testing.MutableClock;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 9 item 7, the {@link Provisioner} alone: rate per sender, bounded queue, negative cache, order. */
class ProvisionerTest {
    static final Provisioner.Failure GONE = new Provisioner.Failure(StanzaError.Condition.item_not_found, "gone");

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);
    Provisioner provisioner;

    @AfterEach
    void tearDown() {
        release.countDown();
        if (provisioner != null) {
            provisioner.close();
        }
    }

    static XmppLimits limits(int threads, int queue, int burst, int perMinute, int parked) {
        LimitsBuilder b = new LimitsBuilder();
        b.provisionThreads = threads;
        b.provisionQueue = queue;
        b.provisionBurst = burst;
        b.provisionPerMinute = perMinute;
        b.provisionParked = parked;
        return b.build();
    }

    void request(String key, String sender, Provisioner.Job job, String name) {
        provisioner.provision(key, sender, job, () -> outcomes.add(name + " ok"),
                f -> outcomes.add(name + " " + f.condition().name()));
    }

    String next() throws InterruptedException {
        String s = outcomes.poll(5, TimeUnit.SECONDS);
        assertTrue(s != null, "no outcome within 5 s");
        return s;
    }

    Optional<Provisioner.Failure> blocked(Optional<Provisioner.Failure> outcome) {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return outcome;
    }

    @Test
    void aSenderOverItsAllowanceIsRefusedAtOnceAndRegainsItOverTime() throws Exception {
        provisioner = new Provisioner(limits(2, 10, 2, 6, 8), Runnable::run, clock);
        request("k1", "mallory@x", Optional::empty, "k1");
        request("k2", "mallory@x", Optional::empty, "k2");
        request("k3", "mallory@x", Optional::empty, "k3");
        request("k4", "alice@x", Optional::empty, "k4");
        clock.advance(Duration.ofSeconds(10)); // 6 per minute: one more after 10 s
        request("k5", "mallory@x", Optional::empty, "k5");
        List<String> all = List.of(next(), next(), next(), next(), next()).stream().sorted().toList();
        assertEquals(List.of("k1 ok", "k2 ok", "k3 resource_constraint", "k4 ok", "k5 ok"), all,
                "k3 is over mallory's burst of 2; alice has her own allowance; k5 comes after the refill");
    }

    @Test
    void aFullQueueIsRefusedAtOnceInsteadOfWaiting() throws Exception {
        provisioner = new Provisioner(limits(1, 1, 5, 10, 8), Runnable::run, clock);
        request("a", "u1@x", () -> blocked(Optional.empty()), "a"); // runs (and blocks)
        request("b", "u2@x", () -> blocked(Optional.empty()), "b"); // waits in the queue
        request("c", "u3@x", () -> blocked(Optional.empty()), "c"); // no room: refused now
        assertEquals("c resource_constraint", next());
        release.countDown();
        assertEquals(List.of("a ok", "b ok"), List.of(next(), next()).stream().sorted().toList());
    }

    @Test
    void stanzasParkedWhileAKeyIsProvisionedAreHandedBackInOrderAndTooManyAreRefused() throws Exception {
        provisioner = new Provisioner(limits(1, 4, 5, 10, 3), Runnable::run, clock);
        request("room", "u@x", () -> blocked(Optional.empty()), "join");
        // provision-parked=3 counts the join itself: two more wait, the third is refused at once.
        for (int i = 1; i <= 2; i++) {
            int n = i;
            assertTrue(provisioner.parkIfPending("room", () -> outcomes.add("msg" + n + " ok"),
                    f -> outcomes.add("msg" + n + " " + f.condition().name())));
        }
        assertTrue(provisioner.parkIfPending("room", () -> outcomes.add("msg3 ok"),
                f -> outcomes.add("msg3 " + f.condition().name())));
        assertEquals("msg3 resource_constraint", next());
        assertTrue(!provisioner.parkIfPending("other", () -> { }, f -> { }), "nothing pending for another key");
        release.countDown();
        assertEquals(List.of("join ok", "msg1 ok", "msg2 ok"), List.of(next(), next(), next()));
        assertEquals(0, provisioner.pending());
    }

    @Test
    void aFailureIsAnsweredFromCacheUntilItExpires() throws Exception {
        provisioner = new Provisioner(limits(1, 4, 50, 60, 8), Runnable::run, clock);
        AtomicInteger calls = new AtomicInteger();
        Provisioner.Job job = () -> {
            calls.incrementAndGet();
            return Optional.of(GONE);
        };
        request("room", "u@x", job, "first");
        assertEquals("first item_not_found", next());
        request("room", "v@x", job, "second");
        assertEquals("second item_not_found", next());
        assertEquals(1, calls.get(), "answered from the cache");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        request("room", "v@x", job, "third");
        assertEquals("third item_not_found", next());
        assertEquals(2, calls.get(), "asked again once the entry expired");
    }
}
