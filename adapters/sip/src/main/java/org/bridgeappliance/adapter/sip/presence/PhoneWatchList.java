package org.bridgeappliance.adapter.sip.presence;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The subscriber side of SIP presence (RFC 6665, RFC 3856) as pure state: which phones' AORs the appliance must
 * watch at the site's presence server, and which SUBSCRIBE to send when. Phones publish to their own AOR at the
 * proxy (Kamailio {@code presence}), so the appliance subscribes there, from one service URI, to every SIP person
 * who shares a bridged room, has an identity link, or is in a direct chat; each of those is a {@link Reason}, and
 * an AOR is watched while it has at least one.
 *
 * <p>Each AOR is idle (a SUBSCRIBE is due at some instant), pending (a SUBSCRIBE was handed out and is unanswered)
 * or active (subscribed until an instant; a refresh is due before). Failures resubscribe with a new dialog:
 * after 481, a {@code terminated} NOTIFY ({@code deactivated}/{@code timeout}: at once, RFC 6665 §4.1.3) or a
 * proxy restart (Kamailio with {@code subs_db_mode 0} forgets every subscription) at once the first time, after
 * a timeout or an error response with exponential backoff. Dialogs are keyed by Call-ID and the appliance's own
 * From tag from the moment the SUBSCRIBE is handed out, so a NOTIFY that overtakes the SUBSCRIBE's 2xx (RFC 6665
 * §4.1.2.4, common over UDP and through forking proxies) is accepted and counts as the subscription being up.
 *
 * <p>Wiring (all methods synchronized, never blocking; the adapter sends what they return, outside):
 * <ul>
 *   <li>the adapter's membership/identity/DM bookkeeping (router or admin thread) → {@link #add} / {@link #remove}
 *       / {@link #removeEverywhere}; {@code remove} may return an {@link Unsubscribe} to send.</li>
 *   <li>a scheduler (one adapter thread, woken at {@link #nextDue} or every few seconds) → {@link #due}, which
 *       returns the SUBSCRIBEs (new, refresh, with the Call-ID and From tag to use) and moves them to pending.</li>
 *   <li>{@code SipListener.processResponse} for a SUBSCRIBE (Jain-SIP listener thread) → {@link #onResponse};
 *       {@code processTimeout} for one → {@link #onTimeout}.</li>
 *   <li>{@code processRequest} for a NOTIFY with {@code Event: presence} (listener thread; the stack must be
 *       configured with {@code gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY=true} so an early NOTIFY reaches
 *       it) → {@link #onNotify}; {@link NotifyVerdict#accepted()} false means answer 481, else 200 and parse the
 *       body with {@link PidfReader}.</li>
 *   <li>the adapter's scheduler, every probe interval (15 s) → {@link #probe}: one live subscription refreshed in
 *       its dialog; a 481 to it means the presence server forgot its subscriptions (a restart), and every AOR is
 *       subscribed again at once ({@link #onProxyRestart}), well within one refresh interval.</li>
 *   <li>the admin API → {@link #watchedCount}, {@link #activeCount}, {@link #failingCount}.</li>
 * </ul>
 */
public final class PhoneWatchList {
    private final Clock clock;
    private final Settings settings;
    private final Supplier<String> tokens;
    private final Map<String, Watch> watches = new LinkedHashMap<>();
    private final Map<DialogId, String> dialogs = new HashMap<>();

    public PhoneWatchList(Clock clock, Settings settings) {
        this(clock, settings, randomTokens());
    }

    /** @param tokens makes Call-IDs and From tags (unguessable in production; predictable in tests) */
    public PhoneWatchList(Clock clock, Settings settings, Supplier<String> tokens) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * @param expires         the Expires the appliance asks for
     * @param refreshMargin   refresh this long before expiry (but never before half the granted time has passed)
     * @param initialBackoff  first wait after a failure that is not retried at once; doubles per failure
     * @param maxBackoff      the longest wait
     * @param responseTimeout a SUBSCRIBE unanswered this long counts as timed out (the stack reports it sooner)
     * @param maxWatched      most AORs watched at once
     */
    public record Settings(Duration expires, Duration refreshMargin, Duration initialBackoff, Duration maxBackoff,
                           Duration responseTimeout, int maxWatched) {
        public Settings {
            if (expires.toSeconds() < 1 || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0
                    || maxWatched < 1) {
                throw new IllegalArgumentException("inconsistent presence watch settings");
            }
        }

        /** 600 s subscriptions refreshed 60 s early, backoff 5 s doubling to 5 min, 10,000 AORs. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(600), Duration.ofSeconds(60), Duration.ofSeconds(5),
                    Duration.ofMinutes(5), Duration.ofSeconds(40), 10_000);
        }
    }

    /** Why an AOR is watched. */
    public enum Kind { ROOM_MEMBER, IDENTITY_LINK, DIRECT_CHAT }

    /** One reason to watch: its kind and what it refers to (a room id, an identity link, a DM id). */
    public record Reason(Kind kind, String ref) {
        public Reason {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(ref, "ref");
        }
    }

    /** A subscription dialog as the appliance created it: the Call-ID and its own From tag. */
    public record DialogId(String callId, String localTag) {
        public DialogId {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(localTag, "localTag");
        }
    }

    /** A SUBSCRIBE or an un-SUBSCRIBE to send. */
    public sealed interface Action {
        String aor();

        DialogId dialog();
    }

    /** A new SUBSCRIBE (new dialog) with this Call-ID and From tag, {@code Expires: expires}. */
    public record Subscribe(String aor, DialogId dialog, Duration expires) implements Action {
    }

    /** A refresh SUBSCRIBE inside the existing dialog. */
    /**
     * A refresh sent as the proxy keepalive: a 481 to it means every subscription is gone ({@link #probe}); the
     * appliance must tell {@link #onProbeNotSent} when it cannot send it.
     */
    public record Probe(String aor, DialogId dialog, Duration expires) implements Action {
    }

    public record Refresh(String aor, DialogId dialog, Duration expires) implements Action {
    }

    /** A SUBSCRIBE with {@code Expires: 0} inside the dialog: the AOR is no longer watched. */
    public record Unsubscribe(String aor, DialogId dialog) implements Action {
    }

    /** The outcome of {@link #add}. */
    public enum Added { NEW, KNOWN, FULL }

    /**
     * A final response to a SUBSCRIBE.
     *
     * @param expires    the 2xx's Expires, seconds
     * @param minExpires a 423's Min-Expires, seconds
     * @param retryAfter a 503's (or other) Retry-After, seconds
     */
    public record Response(int status, OptionalLong expires, OptionalLong minExpires, OptionalLong retryAfter) {
        public static Response of(int status) {
            return new Response(status, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
        }

        public static Response ok(long expires) {
            return new Response(200, OptionalLong.of(expires), OptionalLong.empty(), OptionalLong.empty());
        }
    }

    /** The Subscription-State of a NOTIFY (RFC 6665 §8.2.3), parsed by the adapter. */
    public record SubscriptionState(String state, OptionalLong expires, Optional<String> reason,
                                    OptionalLong retryAfter) {
        public static SubscriptionState active(long expires) {
            return new SubscriptionState("active", OptionalLong.of(expires), Optional.empty(), OptionalLong.empty());
        }

        public static SubscriptionState terminated(String reason) {
            return new SubscriptionState("terminated", OptionalLong.empty(), Optional.ofNullable(reason),
                    OptionalLong.empty());
        }

        boolean isTerminated() {
            return "terminated".equalsIgnoreCase(state);
        }
    }

    /** Whether to accept a NOTIFY (200) or refuse it (481), and whose presence it carries. */
    public record NotifyVerdict(boolean accepted, Optional<String> aor) {
        static NotifyVerdict unknown() {
            return new NotifyVerdict(false, Optional.empty());
        }
    }

    private enum Phase { IDLE, PENDING, ACTIVE }

    private static final class Watch {
        final String aor;
        final Set<Reason> reasons = new LinkedHashSet<>();
        Phase phase = Phase.IDLE;
        Instant dueAt;
        DialogId dialog;
        Instant sentAt;
        Instant expiresAt;
        Instant refreshAt;
        boolean confirmed;
        /** The pending SUBSCRIBE is a {@link Probe}. */
        boolean probing;
        int failures;
        Duration expires;

        Watch(String aor, Instant now, Duration expires) {
            this.aor = aor;
            this.dueAt = now;
            this.expires = expires;
        }
    }

    /** @return whether the AOR is newly watched (a SUBSCRIBE is then due at once), already watched, or refused */
    public synchronized Added add(String aor, Reason reason) {
        Objects.requireNonNull(aor, "aor");
        Objects.requireNonNull(reason, "reason");
        Watch w = watches.get(aor);
        if (w != null) {
            w.reasons.add(reason);
            return Added.KNOWN;
        }
        if (watches.size() >= settings.maxWatched()) {
            return Added.FULL;
        }
        w = new Watch(aor, clock.instant(), settings.expires());
        w.reasons.add(reason);
        watches.put(aor, w);
        return Added.NEW;
    }

    /** @return the un-SUBSCRIBE to send when this was the AOR's last reason and a dialog exists */
    public synchronized Optional<Unsubscribe> remove(String aor, Reason reason) {
        Watch w = watches.get(aor);
        if (w == null || !w.reasons.remove(reason) || !w.reasons.isEmpty()) {
            return Optional.empty();
        }
        watches.remove(aor);
        DialogId d = w.dialog;
        if (d == null) {
            return Optional.empty();
        }
        dialogs.remove(d);
        return Optional.of(new Unsubscribe(aor, d));
    }

    /** Drops {@code reason} from every AOR (a room unbridged, a link deleted). */
    public synchronized List<Unsubscribe> removeEverywhere(Reason reason) {
        List<Unsubscribe> out = new ArrayList<>();
        for (String aor : List.copyOf(watches.keySet())) {
            remove(aor, reason).ifPresent(out::add);
        }
        return out;
    }

    /** At shutdown: an un-SUBSCRIBE for every dialog; the list is then empty. */
    public synchronized List<Unsubscribe> stopAll() {
        List<Unsubscribe> out = new ArrayList<>();
        for (Watch w : watches.values()) {
            if (w.dialog != null) {
                out.add(new Unsubscribe(w.aor, w.dialog));
            }
        }
        watches.clear();
        dialogs.clear();
        return out;
    }

    /** @return the SUBSCRIBEs due now; each is pending from here on */
    public synchronized List<Action> due() {
        Instant now = clock.instant();
        List<Action> out = new ArrayList<>();
        for (Watch w : watches.values()) {
            if (w.phase == Phase.PENDING && !now.isBefore(w.sentAt.plus(settings.responseTimeout()))) {
                fail(w, now, false, OptionalLong.empty());
            }
            if (w.phase == Phase.IDLE && !now.isBefore(w.dueAt)) {
                DialogId d = new DialogId(tokens.get(), tokens.get());
                w.dialog = d;
                w.confirmed = false;
                dialogs.put(d, w.aor);
                pending(w, now);
                out.add(new Subscribe(w.aor, d, w.expires));
            } else if (w.phase == Phase.ACTIVE && !now.isBefore(w.refreshAt)) {
                pending(w, now);
                w.probing = false;
                out.add(new Refresh(w.aor, w.dialog, w.expires));
            }
        }
        return out;
    }

    /** When {@link #due} next has something to do, for the scheduler; empty when nothing is watched. */
    public synchronized Optional<Instant> nextDue() {
        Instant next = null;
        for (Watch w : watches.values()) {
            Instant t = switch (w.phase) {
                case IDLE -> w.dueAt;
                case PENDING -> w.sentAt.plus(settings.responseTimeout());
                case ACTIVE -> w.refreshAt;
            };
            if (next == null || t.isBefore(next)) {
                next = t;
            }
        }
        return Optional.ofNullable(next);
    }

    /**
     * A final response to the SUBSCRIBE of {@code dialog}; responses of forgotten dialogs are ignored.
     *
     * @return the dialogs given up because a {@link Probe} got 481 (see {@link #onProxyRestart}); else empty
     */
    public synchronized List<DialogId> onResponse(DialogId dialog, Response r) {
        Watch w = watchOf(dialog);
        if (w == null || w.phase != Phase.PENDING && !(w.phase == Phase.ACTIVE && r.status() / 100 == 2)) {
            return List.of();
        }
        Instant now = clock.instant();
        int s = r.status();
        boolean probe = w.probing;
        w.probing = false;
        if (s == 481 && probe) {
            // The presence server does not know a subscription it granted: it restarted and forgot them all.
            return onProxyRestart();
        }
        if (s / 100 == 2) {
            long granted = r.expires().orElse(w.expires.toSeconds());
            if (granted <= 0) {
                // RFC 6665 §4.1.2.1: Expires 0 in a 2xx means the subscription is already over.
                fail(w, now, true, OptionalLong.empty());
                return List.of();
            }
            activate(w, now, granted);
        } else if (s == 423 && r.minExpires().isPresent()) {
            w.expires = Duration.ofSeconds(r.minExpires().getAsLong());
            newDialogAt(w, now);
        } else {
            // 481 (the subscription is gone, e.g. the proxy restarted): at once; anything else: backoff.
            fail(w, now, s == 481, r.retryAfter());
        }
        return List.of();
    }

    /** The SUBSCRIBE of {@code dialog} timed out (Jain-SIP {@code processTimeout}). */
    public synchronized void onTimeout(DialogId dialog) {
        Watch w = watchOf(dialog);
        if (w != null && w.phase == Phase.PENDING) {
            fail(w, clock.instant(), false, OptionalLong.empty());
        }
    }

    /**
     * A NOTIFY arrived in {@code dialog} (its Call-ID and its To tag, which is the appliance's From tag).
     *
     * @return accepted with the AOR whose presence the body carries, or not accepted (answer 481: a dialog the
     *         appliance no longer wants, which makes the notifier drop it)
     */
    public synchronized NotifyVerdict onNotify(DialogId dialog, SubscriptionState state) {
        Watch w = watchOf(dialog);
        if (w == null) {
            return NotifyVerdict.unknown();
        }
        Instant now = clock.instant();
        if (state.isTerminated()) {
            String reason = state.reason().orElse("");
            // RFC 6665 §4.1.3: deactivated/timeout (and no reason) → resubscribe at once; probation/giveup
            // after Retry-After; rejected/noresource → backoff (the AOR may appear later, so keep trying slowly).
            boolean atOnce = reason.isEmpty() || reason.equalsIgnoreCase("deactivated") || reason.equalsIgnoreCase("timeout");
            fail(w, now, atOnce, state.retryAfter());
            return new NotifyVerdict(true, Optional.of(w.aor));
        }
        if (w.phase == Phase.PENDING && !w.confirmed) {
            // The NOTIFY overtook the 2xx: the dialog exists now (RFC 6665 §4.1.2.4); the 2xx refines the expiry.
            activate(w, now, state.expires().orElse(w.expires.toSeconds()));
        } else if (w.phase == Phase.ACTIVE && state.expires().isPresent()) {
            long left = state.expires().getAsLong();
            if (left > 0 && now.plusSeconds(left).isBefore(w.expiresAt)) {
                schedule(w, now, left);
            }
        }
        return new NotifyVerdict(true, Optional.of(w.aor));
    }

    /**
     * The proxy restarted and forgot every subscription: subscribe everything again, now, with new dialogs.
     *
     * @return the dialogs given up (the appliance forgets what it kept for them)
     */
    public synchronized List<DialogId> onProxyRestart() {
        Instant now = clock.instant();
        List<DialogId> dropped = new ArrayList<>();
        for (Watch w : watches.values()) {
            if (w.dialog != null) {
                dropped.add(w.dialog);
            }
            w.failures = 0;
            w.probing = false;
            newDialogAt(w, now);
        }
        return dropped;
    }

    /**
     * The keepalive towards the presence server (called every probe interval): the live subscription refreshed
     * longest ago is refreshed now, in its dialog, as a {@link Probe}. An OPTIONS keepalive would only notice a
     * restart that lasts longer than its interval (a Kamailio restart takes about a second); an in-dialog
     * refresh asks the one question that matters, whether the server still knows the subscriptions.
     *
     * @return the probe to send, or empty when no subscription is live (nothing to lose)
     */
    public synchronized Optional<Probe> probe() {
        Watch oldest = null;
        for (Watch w : watches.values()) {
            if (w.phase == Phase.ACTIVE && w.confirmed && (oldest == null || w.expiresAt.isBefore(oldest.expiresAt))) {
                oldest = w;
            }
        }
        if (oldest == null) {
            return Optional.empty();
        }
        pending(oldest, clock.instant());
        oldest.probing = true;
        return Optional.of(new Probe(oldest.aor, oldest.dialog, oldest.expires));
    }

    /** The probe of {@code dialog} could not be sent (the appliance lacks the dialog's route): a new dialog for it. */
    public synchronized void onProbeNotSent(DialogId dialog) {
        Watch w = watchOf(dialog);
        if (w != null && w.phase == Phase.PENDING && w.probing) {
            w.probing = false;
            fail(w, clock.instant(), true, OptionalLong.empty());
        }
    }

    /** AORs watched (for the admin API: "watched"). */
    public synchronized int watchedCount() {
        return watches.size();
    }

    /** AORs with a confirmed subscription. */
    public synchronized int activeCount() {
        return (int) watches.values().stream().filter(w -> w.confirmed).count();
    }

    /** AORs whose last attempt failed (for the admin API: "failing"). */
    public synchronized int failingCount() {
        return (int) watches.values().stream().filter(w -> w.failures > 0).count();
    }

    /** The AORs watched for {@code reason}'s kind and ref, in insertion order (for the admin API). */
    public synchronized List<String> aorsFor(Reason reason) {
        return watches.values().stream().filter(w -> w.reasons.contains(reason)).map(w -> w.aor).toList();
    }

    private Watch watchOf(DialogId dialog) {
        String aor = dialogs.get(dialog);
        return aor == null ? null : watches.get(aor);
    }

    private void pending(Watch w, Instant now) {
        w.phase = Phase.PENDING;
        w.sentAt = now;
    }

    private void activate(Watch w, Instant now, long grantedSeconds) {
        w.phase = Phase.ACTIVE;
        w.confirmed = true;
        w.probing = false;
        w.failures = 0;
        w.sentAt = null;
        schedule(w, now, grantedSeconds);
    }

    private void schedule(Watch w, Instant now, long grantedSeconds) {
        w.expiresAt = now.plusSeconds(grantedSeconds);
        Instant early = w.expiresAt.minus(settings.refreshMargin());
        Instant half = now.plusSeconds(grantedSeconds / 2);
        w.refreshAt = early.isAfter(half) ? early : half;
    }

    private void fail(Watch w, Instant now, boolean atOnceTheFirstTime, OptionalLong retryAfter) {
        w.failures++;
        Duration wait;
        if (atOnceTheFirstTime && w.failures == 1) {
            wait = Duration.ZERO;
        } else {
            int doublings = Math.min(w.failures - (atOnceTheFirstTime ? 2 : 1), 20);
            wait = settings.initialBackoff().multipliedBy(1L << doublings);
            if (wait.compareTo(settings.maxBackoff()) > 0) {
                wait = settings.maxBackoff();
            }
        }
        if (retryAfter.isPresent() && Duration.ofSeconds(retryAfter.getAsLong()).compareTo(wait) > 0) {
            wait = Duration.ofSeconds(Math.min(retryAfter.getAsLong(), settings.maxBackoff().toSeconds()));
        }
        newDialogAt(w, now.plus(wait));
    }

    private void newDialogAt(Watch w, Instant at) {
        if (w.dialog != null) {
            dialogs.remove(w.dialog);
        }
        w.dialog = null;
        w.confirmed = false;
        w.probing = false;
        w.phase = Phase.IDLE;
        w.sentAt = null;
        w.dueAt = at;
    }

    private static Supplier<String> randomTokens() {
        SecureRandom random = new SecureRandom();
        return () -> {
            byte[] b = new byte[12];
            random.nextBytes(b);
            return HexFormat.of().formatHex(b);
        };
    }
}
