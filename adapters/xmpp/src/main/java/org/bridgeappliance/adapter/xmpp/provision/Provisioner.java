package org.bridgeappliance.adapter.xmpp.provision;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.limits.Lru;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.jivesoftware.smack.packet.StanzaError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates gateway rooms and 1:1 chats on the other network (calls that may block for minutes when a homeserver
 * is unreachable) on the adapter's own bounded pool, never on the XMPP inbound thread, so one user's joins to
 * unreachable rooms cannot stop everyone's traffic.
 *
 * <p>Per key (a gateway room, a 1:1 chat): one job at a time; stanzas for a key being provisioned are parked and,
 * when it ends, handed back to the inbound thread in arrival order (a message sent right after the join presence
 * does not overtake the join). A failure is cached for {@code provision-failure-ttl} and answered from there.
 * Each sender (bare JID) may start {@code provision-burst} jobs at once, refilled at {@code provision-per-minute};
 * at most {@code provision-threads} run and {@code provision-queue} wait. Whatever is refused is answered with
 * a stanza error through the caller's {@code fail} callback, never dropped: resource-constraint (RFC 6120
 * §8.3.3.18, type wait) for the rate limit, a full queue and too many parked stanzas; the job's own failure
 * otherwise.
 *
 * <p>Threading: {@link #provision} and {@link #parkIfPending} on the inbound thread; jobs on the pool; the
 * callbacks ({@code retry}, {@code fail}) on the inbound thread, through the runner given at construction.
 */
public final class Provisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

    /** Why a conversation could not be provisioned: the stanza error its requesters get. */
    public record Failure(StanzaError.Condition condition, String text) {
        public Failure {
            Objects.requireNonNull(condition, "condition");
        }

        public StanzaError error() {
            return StanzaErrors.error(condition, text);
        }
    }

    /** The provisioning call: empty when the conversation now exists, else why not. Runs on a pool thread. */
    @FunctionalInterface
    public interface Job {
        Optional<Failure> run();
    }

    /** Runs a task on the inbound thread after the stanzas already received (throws if stopping). */
    @FunctionalInterface
    public interface InboundRunner {
        void run(Runnable task);
    }

    static final Failure RATE_LIMITED = new Failure(StanzaError.Condition.resource_constraint,
            "Too many new rooms or chats from you; try again in a minute.");
    static final Failure BUSY = new Failure(StanzaError.Condition.resource_constraint,
            "The bridge is busy opening other rooms and chats; try again later.");

    private record Parked(Runnable retry, Consumer<Failure> fail) {
    }

    private record Cached(Failure failure, Instant until) {
    }

    /** A token bucket: {@code tokens} as of {@code at}. */
    private static final class Allowance {
        double tokens;
        Instant at;

        Allowance(double tokens, Instant at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final XmppLimits limits;
    private final InboundRunner inbound;
    private final Clock clock;
    private final ThreadPoolExecutor pool;
    private final Map<String, List<Parked>> pending = new HashMap<>();
    private final Lru<String, Cached> failures;
    private final Lru<String, Allowance> senders;

    public Provisioner(XmppLimits limits, InboundRunner inbound, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.failures = new Lru<>(limits.maxTrackedUsers());
        this.senders = new Lru<>(limits.maxTrackedUsers());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(limits.provisionThreads(), limits.provisionThreads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.provisionQueue()), r -> {
                    Thread t = new Thread(r, "xmpp-provision-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
    }

    /**
     * If {@code key} is being provisioned, parks the stanza ({@code retry} runs when it is ready, {@code fail} when
     * it failed or too many are parked) and returns true; false otherwise (handle the stanza now). Inbound thread.
     */
    public boolean parkIfPending(String key, Runnable retry, Consumer<Failure> fail) {
        synchronized (this) {
            List<Parked> parked = pending.get(key);
            if (parked == null) {
                return false;
            }
            if (parked.size() < limits.provisionParked()) {
                parked.add(new Parked(retry, fail));
                return true;
            }
        }
        fail.accept(BUSY);
        return true;
    }

    /**
     * Provisions {@code key} for a stanza of {@code sender}: a cached failure is answered at once, a key already
     * being provisioned parks the stanza, else the job is queued if the sender's allowance and the queue permit.
     * {@code retry} handles the stanza again once the conversation exists; {@code fail} answers it with the error.
     * Inbound thread.
     */
    public void provision(String key, String sender, Job job, Runnable retry, Consumer<Failure> fail) {
        if (parkIfPending(key, retry, fail)) {
            return;
        }
        Failure refused;
        synchronized (this) {
            refused = refusal(key, sender);
            if (refused == null) {
                List<Parked> parked = new ArrayList<>();
                parked.add(new Parked(retry, fail));
                pending.put(key, parked);
                try {
                    pool.execute(() -> run(key, job));
                } catch (RejectedExecutionException e) {
                    pending.remove(key);
                    refused = BUSY;
                    LOG.warn("provisioning queue full ({} waiting): {} refused", limits.provisionQueue(), key);
                }
            }
        }
        if (refused != null) {
            fail.accept(refused);
        }
    }

    /** A cached failure or the sender's exhausted allowance; null if the job may be queued. Under the lock. */
    private Failure refusal(String key, String sender) {
        Instant now = clock.instant();
        Cached cached = failures.get(key);
        if (cached != null) {
            if (now.isBefore(cached.until())) {
                return cached.failure();
            }
            failures.remove(key);
        }
        Allowance a = senders.get(sender);
        if (a == null) {
            a = new Allowance(limits.provisionBurst(), now);
            senders.put(sender, a);
        }
        double refill = Math.max(0, now.toEpochMilli() - a.at.toEpochMilli()) * limits.provisionPerMinute() / 60_000.0;
        a.tokens = Math.min(limits.provisionBurst(), a.tokens + refill);
        a.at = now;
        if (a.tokens < 1) {
            LOG.info("provisioning of {} refused: {} is over its rate", key, sender);
            return RATE_LIMITED;
        }
        a.tokens -= 1;
        return null;
    }

    private void run(String key, Job job) {
        Optional<Failure> outcome;
        try {
            outcome = job.run();
        } catch (RuntimeException e) {
            LOG.warn("provisioning of {} failed: {}", key, e.toString());
            outcome = Optional.of(new Failure(StanzaError.Condition.internal_server_error,
                    "The bridge could not open this conversation."));
        }
        Optional<Failure> result = outcome;
        try {
            inbound.run(() -> complete(key, result));
        } catch (RejectedExecutionException e) {
            LOG.debug("provisioning of {} ended while stopping", key);
        }
    }

    /** On the inbound thread: records a failure, then hands the parked stanzas back in their order. */
    private void complete(String key, Optional<Failure> failure) {
        List<Parked> parked;
        synchronized (this) {
            parked = pending.remove(key);
            failure.ifPresent(f -> failures.put(key, new Cached(f, clock.instant().plus(limits.provisionFailureTtl()))));
        }
        if (parked == null) {
            return;
        }
        for (Parked p : parked) {
            try {
                if (failure.isEmpty()) {
                    p.retry().run();
                } else {
                    p.fail().accept(failure.get());
                }
            } catch (RuntimeException e) {
                LOG.warn("a stanza parked for {} could not be handled: {}", key, e.toString());
            }
        }
    }

    /** Keys being provisioned now (diagnostics, tests). */
    public synchronized int pending() {
        return pending.size();
    }

    /** Stops the pool; jobs still running are interrupted and their stanzas are not answered. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
