package org.bridgeappliance.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PresenceSupport;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.port.TransientDeliveryException;

/**
 * A fake {@link ProtocolAdapter} (with {@link PresenceSupport}) that records everything the router hands it
 * and can be scripted to fail or block. Thread-safe. Waiting helpers take a timeout and fail with a clear
 * message instead of hanging; none of them sleeps.
 *
 * <p>Receipts: by default a delivery of a message, edit, retraction or added reaction returns one fresh id
 * {@code "<network>-<n>"}; typing, read markers, membership, room info and reaction removals return none.
 */
public class RecordingAdapter implements ProtocolAdapter, PresenceSupport {

    /** What one {@link #deliver} call does. */
    @FunctionalInterface
    public interface Behaviour {
        DeliveryReceipt apply(Delivery delivery, RecordingAdapter adapter);
    }

    private final Network network;
    private final Object lock = new Object();
    private final List<Delivery> attempts = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<DeliveryFailure> failures = new ArrayList<>();
    private final List<PresenceEvent> presences = new ArrayList<>();
    private final Deque<Behaviour> script = new ArrayDeque<>();
    private final Map<RemoteRoomId, RoomCapabilities> roomCaps = new ConcurrentHashMap<>();
    private final Set<RemoteUserId> bridgeUsers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile RoomCapabilities defaultCaps = RoomCapabilities.FULL;
    private volatile AdapterState state = AdapterState.of(AdapterState.Status.STARTING, "not started");
    private volatile AdapterState.Status stateAtStart = AdapterState.Status.CONNECTED;
    private volatile AdapterContext context;
    private volatile boolean stopped;

    public RecordingAdapter(String network) {
        this.network = Network.of(network);
    }

    // ----- configuration

    /** Capabilities of every room without its own. */
    public RecordingAdapter withCapabilities(RoomCapabilities caps) {
        this.defaultCaps = caps;
        return this;
    }

    public RecordingAdapter withCapabilities(String room, RoomCapabilities caps) {
        roomCaps.put(RemoteRoomId.of(room), caps);
        return this;
    }

    /** {@link #isBridgeUser} answers true for this user id. */
    public RecordingAdapter withBridgeUser(String user) {
        bridgeUsers.add(RemoteUserId.of(user));
        return this;
    }

    /** The state reported at {@link #start} (CONNECTED unless changed). */
    public RecordingAdapter withStateAtStart(AdapterState.Status status) {
        this.stateAtStart = status;
        return this;
    }

    /** Queues one-shot behaviours, used by the next {@link #deliver} calls in order; then the default. */
    public RecordingAdapter then(Behaviour... behaviours) {
        synchronized (lock) {
            script.addAll(List.of(behaviours));
        }
        return this;
    }

    /** Changes the state and reports it to the router's listener (after start). */
    public void setState(AdapterState.Status status, String detail) {
        AdapterState s = AdapterState.of(status, detail);
        this.state = s;
        AdapterContext ctx = context;
        if (ctx != null) {
            ctx.stateListener().stateChanged(network, s);
        }
    }

    // ----- behaviours

    /** Accepted for later delivery (a store-and-forward network): the outcome is reported through the context. */
    public static Behaviour awaitingOutcome() {
        return (d, a) -> DeliveryReceipt.awaitingOutcome(a.network + "-" + a.ids.incrementAndGet());
    }

    public static Behaviour succeed() {
        return (d, a) -> a.defaultReceipt(d);
    }

    public static Behaviour receipt(String... ids) {
        return (d, a) -> DeliveryReceipt.of(ids);
    }

    public static Behaviour transientFailure() {
        return (d, a) -> {
            throw new TransientDeliveryException("scripted transient failure", null);
        };
    }

    public static Behaviour transientFailure(Duration retryAfter) {
        return (d, a) -> {
            throw new TransientDeliveryException("scripted rate limit", null, retryAfter);
        };
    }

    public static Behaviour permanentFailure() {
        return (d, a) -> {
            throw new PermanentDeliveryException("scripted permanent failure");
        };
    }

    public static Behaviour crash() {
        return (d, a) -> {
            throw new IllegalStateException("scripted adapter bug");
        };
    }

    /**
     * Counts {@code entered} down, then blocks until {@code release} opens (at most 30 s, then fails the
     * delivery transiently so a broken test cannot hang the build), then succeeds.
     */
    public static Behaviour block(CountDownLatch entered, CountDownLatch release) {
        return (d, a) -> {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new TransientDeliveryException("test never released the blocked delivery", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientDeliveryException("interrupted", e);
            }
            return a.defaultReceipt(d);
        };
    }

    /** The receipt a working network would give: one fresh id for addressable events, none otherwise. */
    public DeliveryReceipt defaultReceipt(Delivery d) {
        var e = d.event();
        if (e instanceof TypingEvent || e instanceof ReadMarkerEvent || e instanceof MembershipEvent
                || e instanceof RoomInfoEvent || (e instanceof ReactionEvent r && !r.added())) {
            return DeliveryReceipt.NONE;
        }
        return DeliveryReceipt.of(network + "-" + ids.incrementAndGet());
    }

    // ----- ProtocolAdapter

    @Override
    public Network network() {
        return network;
    }

    @Override
    public void start(AdapterContext context) {
        this.context = context;
        setState(stateAtStart, "started");
    }

    @Override
    public void stop() {
        stopped = true;
        this.state = AdapterState.of(AdapterState.Status.STOPPED, "stopped");
    }

    @Override
    public AdapterState state() {
        return state;
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return roomCaps.getOrDefault(room, defaultCaps);
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return bridgeUsers.contains(user);
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        Behaviour behaviour;
        synchronized (lock) {
            attempts.add(delivery);
            lock.notifyAll();
            behaviour = script.isEmpty() ? succeed() : script.poll();
        }
        DeliveryReceipt receipt = behaviour.apply(delivery, this);
        synchronized (lock) {
            deliveries.add(delivery);
            lock.notifyAll();
        }
        return receipt;
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        synchronized (lock) {
            failures.add(failure);
            lock.notifyAll();
        }
    }

    @Override
    public void deliverPresence(PresenceEvent presence) {
        synchronized (lock) {
            presences.add(presence);
            lock.notifyAll();
        }
    }

    // ----- inspection

    /** The context the router started this adapter with (null before start). */
    public AdapterContext context() {
        return context;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Every deliver call, including failed tries, in call order. */
    public List<Delivery> attempts() {
        synchronized (lock) {
            return List.copyOf(attempts);
        }
    }

    /** Successful deliveries, in order. */
    public List<Delivery> deliveries() {
        synchronized (lock) {
            return List.copyOf(deliveries);
        }
    }

    public List<DeliveryFailure> failures() {
        synchronized (lock) {
            return List.copyOf(failures);
        }
    }

    public List<PresenceEvent> presences() {
        synchronized (lock) {
            return List.copyOf(presences);
        }
    }

    /** Waits until at least {@code n} successful deliveries were made; returns them. */
    public List<Delivery> awaitDeliveries(int n, Duration timeout) {
        return await(() -> deliveries, n, timeout, "deliveries");
    }

    /** Waits until at least {@code n} deliver calls were made; returns them. */
    public List<Delivery> awaitAttempts(int n, Duration timeout) {
        return await(() -> attempts, n, timeout, "delivery attempts");
    }

    public List<DeliveryFailure> awaitFailures(int n, Duration timeout) {
        return await(() -> failures, n, timeout, "failure reports");
    }

    public List<PresenceEvent> awaitPresences(int n, Duration timeout) {
        return await(() -> presences, n, timeout, "presence deliveries");
    }

    /** Waits until a successful delivery matches {@code predicate}; returns it. */
    public Delivery awaitDelivery(Predicate<Delivery> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (Delivery d : deliveries) {
                    if (predicate.test(d)) {
                        return d;
                    }
                }
                waitUntil(deadline, "a matching delivery on " + network + "; got " + deliveries);
            }
        }
    }

    private <T> List<T> await(java.util.function.Supplier<List<T>> list, int n, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (list.get().size() < n) {
                waitUntil(deadline, n + " " + what + " on " + network + "; got " + list.get().size() + ": "
                        + list.get());
            }
            return List.copyOf(list.get());
        }
    }

    private void waitUntil(long deadline, String what) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("timed out waiting for " + what);
        }
        try {
            lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "RecordingAdapter[" + network + "]";
    }

    /** For assertions on timestamps. */
    public static Instant now() {
        return Instant.now();
    }
}
