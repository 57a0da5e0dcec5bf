package org.bridgeappliance.admin.auth;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.admin.AdminConfig;

/**
 * Slows down password (and setup token) guessing, in memory.
 *
 * <p>An attempt is counted as a failure <em>before</em> the credential is checked
 * ({@link #begin}), atomically with the check that it is allowed at all, and un-counted by
 * {@link #succeeded}. So a parallel burst cannot slip past the limit while the first attempts are
 * still hashing: at most {@code loginMaxFailures} attempts per key are ever in flight or failed
 * before the waits begin.
 *
 * <p>Keys of a login, and why:
 * <ul>
 *   <li>the client address ({@code addr:}): one source guessing many usernames;</li>
 *   <li>username and address together ({@code user@addr:}): one source guessing one admin. After
 *       {@code loginMaxFailures} failures each further attempt waits, doubling from one second up to
 *       {@code loginMaxLockout}, then counting starts again after a quiet period;</li>
 *   <li>the username alone ({@code user:}), with a much higher threshold
 *       ({@code loginMaxFailuresPerUser} within {@value #USER_WINDOW_MINUTES} minutes): guessing
 *       one admin from many addresses. The pause lasts until that window is over, never longer, and
 *       does not apply to an address this admin has logged in from successfully within the last
 *       {@value #KNOWN_CLIENT_DAYS} days, so that a botnet re-arming it every window cannot keep the
 *       admin out from their usual place.</li>
 * </ul>
 * A username is therefore not locked by one source's failures: someone sending one bad login for
 * {@code admin} every few minutes from their address delays themselves only, and the admin logs in
 * from anywhere else; an admin who mistyped from their own address logs in as soon as their wait has
 * passed. The client address is the TCP peer, or the client named by a configured trusted proxy
 * ({@link ClientAddresses}): without that, everyone behind one reverse proxy shares one address.
 *
 * <p>Bounded in size; entries are forgotten after a quiet period. Thread-safe: {@link #begin} and
 * {@link #succeeded} are synchronized (a few map operations; never held during hashing).
 */
@Singleton
public class LoginThrottle {
    static final int USER_WINDOW_MINUTES = 15;
    private static final Duration USER_WINDOW = Duration.ofMinutes(USER_WINDOW_MINUTES);
    static final int KNOWN_CLIENT_DAYS = 30;
    private static final Duration KNOWN_CLIENT_FOR = Duration.ofDays(KNOWN_CLIENT_DAYS);
    private static final int MAX_KEYS = 10_000;
    private static final int MAX_KNOWN_CLIENTS = 1_000;
    private static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    private final int maxFailures;
    private final int maxFailuresPerUser;
    private final Duration maxLockout;
    private final Clock clock;
    private final Map<String, Failures> failures = new HashMap<>();
    /** "user@addr" of recent successful logins, least recently used first (bounded). */
    private final Map<String, Instant> knownClients = new LinkedHashMap<>(16, 0.75f, true);

    /** {@code count} failures, the first at {@code first}, the latest at {@code last}. */
    private record Failures(int count, Instant first, Instant last) {
    }

    /** One throttled key: a doubling wait after {@code maxFailures}, or a fixed window. */
    private record Key(String name, int maxFailures, boolean windowed) {
    }

    /** What {@link #begin} decided. */
    public sealed interface Admission {
        /**
         * Go ahead; counted already as a failure until {@link LoginThrottle#succeeded} is called with it.
         *
         * @param client "user@addr" of a login (remembered as a known client on success), null for setup
         */
        record Admitted(List<String> keys, String client) implements Admission {
        }

        /** Refused without counting; retry after this long. */
        record Refused(Duration retryAfter) implements Admission {
        }
    }

    @Inject
    public LoginThrottle(AdminConfig config) {
        this(config.getLoginMaxFailures(), config.getLoginMaxFailuresPerUser(), config.getLoginMaxLockout(),
                Clock.systemUTC());
    }

    LoginThrottle(int maxFailures, int maxFailuresPerUser, Duration maxLockout, Clock clock) {
        if (maxFailures < 1 || maxFailuresPerUser < 1) {
            throw new IllegalArgumentException("bridge.admin.login-max-failures(-per-user) must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.maxFailuresPerUser = Math.max(maxFailuresPerUser, maxFailures);
        this.maxLockout = maxLockout;
        this.clock = clock;
    }

    /** A password attempt for {@code username} from {@code clientAddress}. */
    public Admission beginLogin(String username, String clientAddress) {
        String user = username.toLowerCase(Locale.ROOT);
        String client = user + "@" + clientAddress;
        return begin(List.of(new Key("addr:" + clientAddress, maxFailures, false),
                new Key("user@addr:" + client, maxFailures, false),
                new Key("user:" + user, maxFailuresPerUser, true)), client);
    }

    /** A setup token attempt from {@code clientAddress}. */
    public Admission beginSetup(String clientAddress) {
        return begin(List.of(new Key("setup:" + clientAddress, maxFailures, false)), null);
    }

    /** The attempt succeeded: its keys start from zero again, and a login's address becomes known for its user. */
    public synchronized void succeeded(Admission.Admitted attempt) {
        for (String key : attempt.keys()) {
            failures.remove(key);
        }
        if (attempt.client() != null) {
            knownClients.put(attempt.client(), clock.instant());
            if (knownClients.size() > MAX_KNOWN_CLIENTS) {
                Iterator<String> eldest = knownClients.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
    }

    private synchronized Admission begin(List<Key> keys, String client) {
        Instant now = clock.instant();
        Instant knownSince = client == null ? null : knownClients.get(client);
        boolean known = knownSince != null && now.isBefore(knownSince.plus(KNOWN_CLIENT_FOR));
        Duration longest = Duration.ZERO;
        for (Key key : keys) {
            Failures f = current(key, now);
            if (f == null || f.count() < key.maxFailures() || (key.windowed() && known)) {
                continue;
            }
            Instant until = key.windowed() ? f.first().plus(USER_WINDOW) : f.last().plus(lockout(f.count()));
            Duration wait = Duration.between(now, until);
            if (wait.compareTo(longest) > 0) {
                longest = wait;
            }
        }
        if (longest.compareTo(Duration.ZERO) > 0) {
            return new Admission.Refused(longest);
        }
        if (failures.size() + keys.size() > MAX_KEYS) {
            purge(now);
        }
        for (Key key : keys) {
            Failures f = current(key, now);
            failures.put(key.name(), f == null ? new Failures(1, now, now) : new Failures(f.count() + 1, f.first(), now));
        }
        return new Admission.Admitted(keys.stream().map(Key::name).toList(), client);
    }

    /** The key's failures still in force at {@code now}, or null (forgotten after a quiet period or window). */
    private Failures current(Key key, Instant now) {
        Failures f = failures.get(key.name());
        if (f == null) {
            return null;
        }
        boolean stale = key.windowed()
                ? !now.isBefore(f.first().plus(USER_WINDOW))
                : !now.isBefore(f.last().plus(lockout(f.count())).plus(FORGET_AFTER));
        if (stale) {
            failures.remove(key.name());
            return null;
        }
        return f;
    }

    private Duration lockout(int count) {
        if (count < maxFailures) {
            return Duration.ZERO;
        }
        int doublings = Math.min(count - maxFailures, 30);
        Duration wait = Duration.ofSeconds(1L << doublings);
        return wait.compareTo(maxLockout) > 0 ? maxLockout : wait;
    }

    private void purge(Instant now) {
        failures.values().removeIf(f -> !now.isBefore(f.last().plus(maxLockout).plus(FORGET_AFTER)));
        // Still full (an attack from many addresses): drop arbitrary entries rather than grow without bound.
        Iterator<String> it = failures.keySet().iterator();
        while (failures.size() >= MAX_KEYS && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
