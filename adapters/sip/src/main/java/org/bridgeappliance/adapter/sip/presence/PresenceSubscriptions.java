package org.bridgeappliance.adapter.sip.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The notifier side of SIP presence (RFC 6665, RFC 3856) as pure state: who watches which puppet URI, until when,
 * and which NOTIFY to send next. The appliance is the presence server of its own domains, so phones SUBSCRIBE to
 * puppet URIs such as {@code sip:bob*xmpp.test@xmpp.D}. No Jain-SIP types: the adapter's dialog object is the
 * opaque {@code D}, stored with the subscription and handed back in each {@link Notify}.
 *
 * <p>Wiring (all methods are synchronized, never block, and return what to send; the caller sends it outside):
 * <ul>
 *   <li>{@code SipListener.processRequest} on a SUBSCRIBE with {@code Event: presence} to a puppet URI (Jain-SIP
 *       listener thread) → {@link #subscribe}; the {@link Decision} says the answer (2xx with Expires, 423 with
 *       Min-Expires, 481, 503 with Retry-After) and, after a 2xx, the NOTIFY to send at once (RFC 6665 §4.2.1:
 *       the 2xx goes first). Other event packages get 489 before this class is asked.</li>
 *   <li>the router's presence delivery for a person with a puppet URI (router thread) → {@link #onPresence}.</li>
 *   <li>{@code processResponse} with a final response to a NOTIFY, or {@code processTimeout} for one (listener
 *       thread) → {@link #onNotifyAnswered} / {@link #onNotifyTimeout}; a failure removes the subscription
 *       (RFC 6665 §4.2.2).</li>
 *   <li>a scheduled sweep every few seconds (the adapter's scheduler thread) → {@link #sweep}: expired
 *       subscriptions get a {@code terminated;reason=timeout} NOTIFY; NOTIFYs unanswered for longer than
 *       {@link Limits#notifyTimeout()} are given up (the stack normally reports a timeout long before).</li>
 *   <li>shutdown → {@link #terminateAll}.</li>
 * </ul>
 *
 * <p>Memory is bounded by {@link Limits#maxTotal()} subscriptions whatever arrives (a flood of SUBSCRIBEs with
 * distinct Call-IDs gets 503), and by {@link Limits#maxPerWatcher()} per watcher URI, so one phone cannot take all.
 *
 * @param <D> the adapter's dialog handle (a Jain-SIP {@code Dialog})
 */
public final class PresenceSubscriptions<D> {
    private final Clock clock;
    private final Limits limits;
    private final Map<DialogKey, Sub<D>> subs = new HashMap<>();
    private final Map<String, Set<DialogKey>> byPuppet = new HashMap<>();
    private final Map<String, Integer> perWatcher = new HashMap<>();
    private long refused;

    public PresenceSubscriptions(Clock clock, Limits limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * @param minExpires    below this a SUBSCRIBE gets 423 with Min-Expires (RFC 6665 §4.2.1.1); Expires 0 is allowed
     * @param defaultExpires when the SUBSCRIBE has no Expires (RFC 3856 §6.4 suggests 3600 s)
     * @param maxExpires    longer requests are shortened to this in the 2xx
     * @param maxPerWatcher live subscriptions of one watcher URI; beyond, 503
     * @param maxTotal      live subscriptions in all; beyond, 503
     * @param retryAfter    the Retry-After of those 503s
     * @param notifyTimeout a NOTIFY unanswered this long is given up and its subscription removed
     */
    public record Limits(Duration minExpires, Duration defaultExpires, Duration maxExpires, int maxPerWatcher,
                         int maxTotal, Duration retryAfter, Duration notifyTimeout) {
        public Limits {
            if (minExpires.isNegative() || minExpires.compareTo(maxExpires) > 0 || maxPerWatcher < 1 || maxTotal < 1
                    || defaultExpires.isNegative() || defaultExpires.isZero()) {
                throw new IllegalArgumentException("inconsistent presence subscription limits");
            }
        }

        /** 60 s minimum, 3600 s default and maximum (Kamailio's {@code max_expires}), 50 per watcher, 2000 in all. */
        public static Limits defaults() {
            return new Limits(Duration.ofSeconds(60), Duration.ofSeconds(3600), Duration.ofSeconds(3600), 50, 2000,
                    Duration.ofSeconds(60), Duration.ofSeconds(40));
        }
    }

    /** A subscription dialog as seen from the watcher's SUBSCRIBE: its Call-ID and From tag (RFC 6665 §4.1.2.4). */
    public record DialogKey(String callId, String watcherTag) {
        public DialogKey {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(watcherTag, "watcherTag");
        }
    }

    /**
     * One SUBSCRIBE as the adapter read it.
     *
     * @param watcherUri the From AOR, normalised by the adapter (the per-watcher cap counts by it)
     * @param puppetUri  the Request-URI/To AOR, a puppet of the appliance
     * @param expires    the Expires header in seconds, empty when absent
     * @param inDialog   whether the request had a To tag (a refresh or an unsubscribe)
     */
    public record SubscribeRequest(String watcherUri, String puppetUri, DialogKey key, OptionalLong expires,
                                   boolean inDialog) {
        public SubscribeRequest {
            Objects.requireNonNull(watcherUri, "watcherUri");
            Objects.requireNonNull(puppetUri, "puppetUri");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(expires, "expires");
        }
    }

    /** How to answer a SUBSCRIBE. */
    public sealed interface Decision {
    }

    /** 2xx with {@code Expires: expires}, then send {@code notification} if present (absent: one is in flight and it waits). */
    public record Accepted<D>(Duration expires, boolean refresh, Optional<Notify<D>> notification) implements Decision {
    }

    /** {@code Expires: 0}: 2xx, then send {@code notify} ({@code terminated}) if present. */
    public record Ended<D>(Optional<Notify<D>> notification) implements Decision {
    }

    /** 423 Interval Too Brief with {@code Min-Expires}. */
    public record TooBrief(Duration minExpires) implements Decision {
    }

    /** 503 with {@code Retry-After}: a cap is reached. */
    public record Overloaded(Duration retryAfter) implements Decision {
    }

    /** 481 Subscription does not exist: an in-dialog SUBSCRIBE for a subscription that is gone. */
    public record NoSuchSubscription() implements Decision {
    }

    /**
     * A NOTIFY to send in {@code dialog}.
     *
     * @param state   the body: empty means a NOTIFY without body (state unknown)
     * @param expires remaining seconds for {@code active}; 0 when terminated
     * @param reason  the RFC 6665 §4.1.3 reason of a terminated NOTIFY, else null
     */
    public record Notify<D>(DialogKey key, D dialog, String watcherUri, String puppetUri, Optional<SipPresence> state,
                            boolean terminated, long expires, String reason) {
        /** The exact Subscription-State header value (RFC 6665 §8.2.3). */
        public String subscriptionState() {
            return terminated ? "terminated;reason=" + reason : "active;expires=" + expires;
        }
    }

    /** What waits in a subscription's {@link NotifyQueue}: the state, and whether this NOTIFY ends it. */
    private record Content(Optional<SipPresence> state, boolean terminated, String reason) {
    }

    private static final class Sub<D> {
        final String watcher;
        final String puppet;
        final D dialog;
        final NotifyQueue<Content> queue = new NotifyQueue<>();
        Instant expiresAt;
        Instant sentAt;
        boolean terminating;
        Optional<SipPresence> last;

        Sub(String watcher, String puppet, D dialog, Instant expiresAt, Optional<SipPresence> state) {
            this.watcher = watcher;
            this.puppet = puppet;
            this.dialog = dialog;
            this.expiresAt = expiresAt;
            this.last = state;
        }
    }

    /**
     * @param dialog  the adapter's dialog for this subscription (kept for a new one; ignored on a refresh)
     * @param current the puppet's current state, empty when unknown
     */
    public synchronized Decision subscribe(SubscribeRequest req, D dialog, Optional<SipPresence> current) {
        Instant now = clock.instant();
        Sub<D> existing = subs.get(req.key());
        long asked = req.expires().orElse(limits.defaultExpires().toSeconds());
        if (asked < 0) {
            asked = limits.defaultExpires().toSeconds();
        }
        if (asked == 0) {
            if (existing == null) {
                if (req.inDialog()) {
                    return new NoSuchSubscription();
                }
                // RFC 6665 §4.4.3 "fetch": one terminated NOTIFY with the state, nothing kept.
                return new Ended<>(Optional.of(new Notify<>(req.key(), dialog, req.watcherUri(), req.puppetUri(), current,
                        true, 0, "timeout")));
            }
            return new Ended<>(terminate(req.key(), existing, current, "timeout", now));
        }
        if (asked < limits.minExpires().toSeconds()) {
            return new TooBrief(limits.minExpires());
        }
        Duration granted = Duration.ofSeconds(Math.min(asked, limits.maxExpires().toSeconds()));
        if (existing != null) {
            if (existing.terminating) {
                return new NoSuchSubscription();
            }
            existing.expiresAt = now.plus(granted);
            existing.last = current;
            // RFC 6665 §4.2.2: a NOTIFY follows every accepted refresh, too.
            return new Accepted<>(granted, true, send(req.key(), existing, new Content(current, false, null), now));
        }
        if (req.inDialog()) {
            return new NoSuchSubscription();
        }
        if (subs.size() >= limits.maxTotal() || perWatcher.getOrDefault(req.watcherUri(), 0) >= limits.maxPerWatcher()) {
            refused++;
            return new Overloaded(limits.retryAfter());
        }
        Sub<D> sub = new Sub<>(req.watcherUri(), req.puppetUri(), dialog, now.plus(granted), current);
        subs.put(req.key(), sub);
        byPuppet.computeIfAbsent(req.puppetUri(), p -> new LinkedHashSet<>()).add(req.key());
        perWatcher.merge(req.watcherUri(), 1, Integer::sum);
        return new Accepted<>(granted, false, send(req.key(), sub, new Content(current, false, null), now));
    }

    /**
     * The state of {@code puppetUri} changed.
     *
     * @return the NOTIFYs to send now; subscriptions with one in flight keep only this newest state for later
     */
    public synchronized List<Notify<D>> onPresence(String puppetUri, Optional<SipPresence> state) {
        Set<DialogKey> keys = byPuppet.get(puppetUri);
        if (keys == null) {
            return List.of();
        }
        Instant now = clock.instant();
        List<Notify<D>> out = new ArrayList<>();
        for (DialogKey k : keys) {
            Sub<D> s = subs.get(k);
            if (s.terminating) {
                continue;
            }
            s.last = state;
            send(k, s, new Content(state, false, null), now).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The NOTIFY in flight for {@code key} got a final response.
     *
     * @return the coalesced NOTIFY to send next, if any; empty also when the subscription ended (a terminated
     *         NOTIFY was answered, or the response was a failure: RFC 6665 §4.2.2 removes the subscription)
     */
    public synchronized Optional<Notify<D>> onNotifyAnswered(DialogKey key, int status) {
        Sub<D> s = subs.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (status < 200 || status >= 300) {
            remove(key, s);
            return Optional.empty();
        }
        Optional<Content> next = s.queue.onAnswered();
        if (next.isEmpty()) {
            s.sentAt = null;
            if (s.terminating) {
                remove(key, s);
            }
            return Optional.empty();
        }
        Instant now = clock.instant();
        s.sentAt = now;
        return Optional.of(notify(key, s, next.get(), now));
    }

    /** The NOTIFY in flight for {@code key} timed out (Jain-SIP {@code processTimeout}): the subscription ends. */
    public synchronized void onNotifyTimeout(DialogKey key) {
        Sub<D> s = subs.get(key);
        if (s != null) {
            remove(key, s);
        }
    }

    /**
     * Ends expired subscriptions and gives up NOTIFYs stuck in flight.
     *
     * @return the {@code terminated;reason=timeout} NOTIFYs to send now
     */
    public synchronized List<Notify<D>> sweep() {
        Instant now = clock.instant();
        List<Notify<D>> out = new ArrayList<>();
        for (Iterator<Map.Entry<DialogKey, Sub<D>>> it = subs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<DialogKey, Sub<D>> e = it.next();
            Sub<D> s = e.getValue();
            if (s.sentAt != null && !now.isBefore(s.sentAt.plus(limits.notifyTimeout()))) {
                it.remove();
                unindex(e.getKey(), s);
            } else if (!s.terminating && !now.isBefore(s.expiresAt)) {
                terminate(e.getKey(), s, s.last, "timeout", now).ifPresent(out::add);
            }
        }
        return out;
    }

    /** At shutdown: a terminated NOTIFY ({@code reason=deactivated}, RFC 6665 §4.1.3: resubscribe) to every watcher. */
    public synchronized List<Notify<D>> terminateAll() {
        Instant now = clock.instant();
        List<Notify<D>> out = new ArrayList<>();
        for (Map.Entry<DialogKey, Sub<D>> e : List.copyOf(subs.entrySet())) {
            if (!e.getValue().terminating) {
                terminate(e.getKey(), e.getValue(), e.getValue().last, "deactivated", now).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Live subscriptions (for the admin API: "watchers" of the appliance's puppets). */
    public synchronized int size() {
        return subs.size();
    }

    /** Distinct watcher URIs. */
    public synchronized int watcherCount() {
        return perWatcher.size();
    }

    /** Distinct puppets watched by at least one phone. */
    public synchronized int puppetCount() {
        return byPuppet.size();
    }

    /** SUBSCRIBEs answered 503 so far. */
    public synchronized long refusedCount() {
        return refused;
    }

    public synchronized boolean contains(DialogKey key) {
        return subs.containsKey(key);
    }

    private Optional<Notify<D>> terminate(DialogKey key, Sub<D> s, Optional<SipPresence> state, String reason, Instant now) {
        s.terminating = true;
        return send(key, s, new Content(state, true, reason), now);
    }

    private Optional<Notify<D>> send(DialogKey key, Sub<D> s, Content c, Instant now) {
        Optional<Content> go = s.queue.offer(c);
        if (go.isEmpty()) {
            return Optional.empty();
        }
        s.sentAt = now;
        return Optional.of(notify(key, s, go.get(), now));
    }

    private Notify<D> notify(DialogKey key, Sub<D> s, Content c, Instant now) {
        // Remaining time is computed when the NOTIFY leaves, not when its state was queued.
        long left = Math.max(0, Duration.between(now, s.expiresAt).toSeconds());
        return new Notify<>(key, s.dialog, s.watcher, s.puppet, c.state(), c.terminated(), c.terminated() ? 0 : left,
                c.reason());
    }

    private void remove(DialogKey key, Sub<D> s) {
        subs.remove(key);
        unindex(key, s);
    }

    private void unindex(DialogKey key, Sub<D> s) {
        Set<DialogKey> keys = byPuppet.get(s.puppet);
        if (keys != null && keys.remove(key) && keys.isEmpty()) {
            byPuppet.remove(s.puppet);
        }
        perWatcher.computeIfPresent(s.watcher, (w, n) -> n <= 1 ? null : n - 1);
    }
}
