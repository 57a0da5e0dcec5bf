package org.bridgeappliance.adapter.sip.offline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bridgeappliance.adapter.sip.outbound.PhoneSender;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.port.DeliveryOutcomes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * msilo's semantics on the bridge's side: MESSAGE parts for a phone that answered 404/408/480 are stored per
 * recipient ({@link SipStore}) and sent again, in order, when the phone shows up (any request from it) or on
 * the periodic retry; entries older than the TTL are dropped, logged and counted.
 *
 * <p>Late outcomes: a delivery the core awaits ({@link Awaited}, a 1:1 chat to a phone whose
 * {@code deliver} returned {@code DeliveryReceipt.awaitingOutcome}) is reported through
 * {@link DeliveryOutcomes} exactly when its queued parts end: {@code delivered} once its last part reached
 * the phone, {@code failed} when a part expired after the TTL or was refused, so the router tells the
 * author. The key travels in the row's own {@code outcomeKey} ({@link #encode}; column {@code outcome_key},
 * migration V9), so it survives a restart; a key too long for the column is not awaited ({@link #canAwait}).
 *
 * <p>Thread-safe. {@link #flush} runs on the caller's thread and blocks on the sends; one flush per recipient
 * runs at a time (a second concurrent call returns at once), so nothing is delivered twice.
 */
public final class OfflineQueue {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineQueue.class);
    private static final int BATCH = 100;
    /** The width of {@code sip_offline_queue.outcome_key} (mapping migration V9). */
    private static final int MAX_KEY = 1100;

    private final SipStore store;
    private final PhoneSender sender;
    private final Clock clock;
    private final Duration ttl;
    private final DeliveryOutcomes outcomes;
    private final Set<String> flushing = ConcurrentHashMap.newKeySet();
    private final AtomicLong expiredCount = new AtomicLong();
    private final AtomicLong deliveredCount = new AtomicLong();

    /** A queue whose outcomes nobody awaits. */
    public OfflineQueue(SipStore store, PhoneSender sender, Clock clock, Duration ttl) {
        this(store, sender, clock, ttl, DeliveryOutcomes.NONE);
    }

    /**
     * @param outcomes where the final outcome of an {@link Awaited} delivery is reported (the adapter
     *                 context's {@code outcomes()})
     */
    public OfflineQueue(SipStore store, PhoneSender sender, Clock clock, Duration ttl, DeliveryOutcomes outcomes) {
        this.store = store;
        this.sender = sender;
        this.clock = clock;
        this.ttl = ttl;
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    }

    /**
     * The core's key of a delivery whose final outcome it awaits ({@link DeliveryOutcomes}).
     *
     * @param messageId {@code Delivery.messageId()}
     * @param target    {@code Delivery.target()}
     */
    public record Awaited(BridgeMessageId messageId, Portal target) {
        public Awaited {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(target, "target");
        }
    }

    /** Queues parts (already formatted) for {@code recipient}, in order. Durable on return. */
    public void enqueue(String recipient, String fromUri, String fromName, List<String> parts, String author) {
        enqueue(recipient, fromUri, fromName, parts, author, Optional.empty());
    }

    /**
     * Queues parts for {@code recipient}, in order, and when {@code awaited} is given (and {@link #canAwait}),
     * reports that delivery's final outcome later. Durable on return.
     */
    public void enqueue(String recipient, String fromUri, String fromName, List<String> parts, String author,
                        Optional<Awaited> awaited) {
        Instant now = clock.instant();
        Optional<Awaited> key = awaited.filter(OfflineQueue::canAwait);
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            store.enqueue(new SipStore.Pending(0, recipient, fromUri, fromName, parts.get(i), author, now,
                    now.plus(ttl), key.map(k -> encode(k, last))));
        }
        LOG.info("SIP: {} part(s) for offline {} queued{}", parts.size(), recipient,
                key.map(k -> "; outcome of " + k.messageId() + " awaited").orElse(""));
    }

    /** True if {@code awaited} fits the queue's key column (1100 characters; a 1:1 chat id always does). */
    public static boolean canAwait(Awaited awaited) {
        return encode(awaited, true).length() <= MAX_KEY;
    }

    /**
     * {@code <last> <messageId> <network> <room>}: {@code last} is 1 on the delivery's final part (whose delivery
     * completes it). The room id comes last because it may hold spaces.
     */
    static String encode(Awaited awaited, boolean last) {
        return (last ? "1 " : "0 ") + awaited.messageId().value() + " " + awaited.target().network().value()
                + " " + awaited.target().room().value();
    }

    /** The inverse of {@link #encode}; empty for a damaged key. The flag is whether it is the last part. */
    static Optional<Map.Entry<Awaited, Boolean>> decode(String key) {
        String[] f = key.split(" ", 4);
        if (f.length < 4 || !(f[0].equals("0") || f[0].equals("1"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Map.entry(new Awaited(BridgeMessageId.of(f[1]), Portal.of(f[2], f[3])),
                    f[0].equals("1")));
        } catch (IllegalArgumentException e) {
            LOG.warn("SIP: unreadable outcome key in the offline queue: {}", e.toString());
            return Optional.empty();
        }
    }

    private static Optional<Map.Entry<Awaited, Boolean>> decode(SipStore.Pending p) {
        return p.outcomeKey().flatMap(OfflineQueue::decode);
    }

    /** True if anything is queued for {@code recipient} (new messages then queue behind it, keeping order). */
    public boolean hasPending(String recipient) {
        return !store.pendingFor(recipient, 1).isEmpty();
    }

    /**
     * Sends what is queued for {@code recipient}, oldest first, until the phone is offline again or the queue
     * is empty. Entries refused permanently (403/603) are dropped with a log line.
     *
     * @return how many were delivered
     */
    public int flush(String recipient) {
        if (!flushing.add(recipient)) {
            return 0;
        }
        int delivered = 0;
        try {
            while (true) {
                List<SipStore.Pending> batch = store.pendingFor(recipient, BATCH);
                if (batch.isEmpty()) {
                    return delivered;
                }
                for (SipStore.Pending p : batch) {
                    if (p.expiresAt().isBefore(clock.instant())) {
                        expire(p);
                        continue;
                    }
                    PhoneSender.Sent sent = sender.send(p.recipient(), p.fromUri(), p.fromName(), p.body());
                    switch (sent.result()) {
                        case DELIVERED -> {
                            if (store.delete(p.id())) {
                                decode(p).filter(Map.Entry::getValue).ifPresent(k -> outcomes.delivered(
                                        k.getKey().messageId(), k.getKey().target()));
                            }
                            delivered++;
                            deliveredCount.incrementAndGet();
                        }
                        case REJECTED -> {
                            LOG.warn("SIP: queued message for {} refused with {} {}; dropped", recipient, sent.status(),
                                    sent.reason());
                            if (store.delete(p.id())) {
                                // The first outcome decides (DeliveryOutcomes): the later parts' success is ignored.
                                decode(p).ifPresent(k -> outcomes.failed(k.getKey().messageId(),
                                        k.getKey().target(), "the recipient's phone refused the message"));
                            }
                        }
                        default -> {
                            return delivered; // still offline (or the proxy is down): keep the rest in order
                        }
                    }
                }
            }
        } finally {
            flushing.remove(recipient);
            if (delivered > 0) {
                LOG.info("SIP: {} queued part(s) delivered to {}", delivered, recipient);
            }
        }
    }

    /** One retry round: drops expired entries, then flushes every recipient with a queue. */
    public void retryAll() {
        for (SipStore.Pending p : store.expired(clock.instant(), BATCH)) {
            expire(p);
        }
        for (String recipient : store.recipients(BATCH)) {
            flush(recipient);
        }
    }

    private void expire(SipStore.Pending p) {
        if (store.delete(p.id())) {
            expiredCount.incrementAndGet();
            Optional<Map.Entry<Awaited, Boolean>> key = decode(p);
            LOG.warn("SIP: message {} by {} for {} expired undelivered after {}", key.map(k -> (Object) k.getKey()
                    .messageId()).orElse("(not awaited)"), p.author(), p.recipient(), ttl);
            // Every part carries the key; the first failure reaches the author, repeats are ignored by the core.
            key.ifPresent(k -> outcomes.failed(k.getKey().messageId(), k.getKey().target(),
                    "the phone did not come back within " + human(ttl)));
        }
    }

    /** "24 h", "90 min", "45 s": the TTL as the author reads it. */
    static String human(Duration d) {
        if (d.toMinutes() > 0 && d.toMinutesPart() == 0 && d.toSecondsPart() == 0) {
            return d.toHours() + " h";
        }
        return d.toSecondsPart() == 0 && d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    public long expiredCount() {
        return expiredCount.get();
    }

    public long deliveredCount() {
        return deliveredCount.get();
    }
}
