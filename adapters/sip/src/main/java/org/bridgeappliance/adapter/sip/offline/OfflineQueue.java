package org.bridgeappliance.adapter.sip.offline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bridgeappliance.adapter.sip.outbound.PhoneSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * msilo's semantics on the bridge's side: MESSAGE parts for a phone that answered 404/408/480 are stored per
 * recipient ({@link SipStore}) and sent again, in order, when the phone shows up (any request from it) or on
 * the periodic retry; entries older than the TTL are dropped and their author's loss is logged and counted.
 *
 * <p>Thread-safe. {@link #flush} runs on the caller's thread and blocks on the sends; one flush per recipient
 * runs at a time (a second concurrent call returns at once), so nothing is delivered twice.
 */
public final class OfflineQueue {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineQueue.class);
    private static final int BATCH = 100;

    private final SipStore store;
    private final PhoneSender sender;
    private final Clock clock;
    private final Duration ttl;
    private final Set<String> flushing = ConcurrentHashMap.newKeySet();
    private final AtomicLong expiredCount = new AtomicLong();
    private final AtomicLong deliveredCount = new AtomicLong();

    public OfflineQueue(SipStore store, PhoneSender sender, Clock clock, Duration ttl) {
        this.store = store;
        this.sender = sender;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Queues parts (already formatted) for {@code recipient}, in order. Durable on return. */
    public void enqueue(String recipient, String fromUri, String fromName, List<String> parts, String author) {
        Instant now = clock.instant();
        for (String part : parts) {
            store.enqueue(new SipStore.Pending(0, recipient, fromUri, fromName, part, author, now, now.plus(ttl)));
        }
        LOG.info("SIP: {} part(s) for offline {} queued", parts.size(), recipient);
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
                            store.delete(p.id());
                            delivered++;
                            deliveredCount.incrementAndGet();
                        }
                        case REJECTED -> {
                            LOG.warn("SIP: queued message for {} refused with {} {}; dropped", recipient, sent.status(),
                                    sent.reason());
                            store.delete(p.id());
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
            // The core has no late-outcome port yet: the author is told once it exists (adapters/sip/README.md).
            LOG.warn("SIP: message from {} for {} expired undelivered after {}", p.author(), p.recipient(), ttl);
        }
    }

    public long expiredCount() {
        return expiredCount.get();
    }

    public long deliveredCount() {
        return deliveredCount.get();
    }
}
