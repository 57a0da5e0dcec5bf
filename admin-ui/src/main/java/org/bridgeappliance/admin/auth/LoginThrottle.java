package org.bridgeappliance.admin.auth;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.admin.AdminConfig;

/**
 * Slows down password guessing, in memory: after {@code loginMaxFailures} failed attempts for one
 * key (a username, a client address, the setup endpoint's address) every further attempt is
 * refused until a wait has passed, doubling from one second up to {@code loginMaxLockout}.
 *
 * <p>Waits are short and capped on purpose: a long lock on a username would let anyone lock the
 * admin out. A success clears the key. Forgotten after a quiet period; bounded in size.
 */
@Singleton
public class LoginThrottle {
    private static final int MAX_KEYS = 10_000;
    private static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    private final int maxFailures;
    private final Duration maxLockout;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    private record Failures(int count, Instant last) {
    }

    @Inject
    public LoginThrottle(AdminConfig config) {
        this(config.getLoginMaxFailures(), config.getLoginMaxLockout(), Clock.systemUTC());
    }

    LoginThrottle(int maxFailures, Duration maxLockout, Clock clock) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("bridge.admin.login-max-failures must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.maxLockout = maxLockout;
        this.clock = clock;
    }

    /** How long the caller must still wait before an attempt for any of {@code keys} is considered; empty if none. */
    public Optional<Duration> blocked(String... keys) {
        Instant now = clock.instant();
        Duration longest = Duration.ZERO;
        for (String key : keys) {
            Failures f = failures.get(key);
            if (f == null || f.count() < maxFailures) {
                continue;
            }
            Duration wait = Duration.between(now, f.last().plus(lockout(f.count())));
            if (wait.compareTo(longest) > 0) {
                longest = wait;
            }
        }
        return longest.isZero() || longest.isNegative() ? Optional.empty() : Optional.of(longest);
    }

    public void failure(String... keys) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_KEYS) {
            purge(now);
        }
        for (String key : keys) {
            failures.merge(key, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
        }
    }

    public void success(String... keys) {
        for (String key : keys) {
            failures.remove(key);
        }
    }

    private Duration lockout(int count) {
        int doublings = Math.min(count - maxFailures, 30);
        Duration wait = Duration.ofSeconds(1L << doublings);
        return wait.compareTo(maxLockout) > 0 ? maxLockout : wait;
    }

    private void purge(Instant now) {
        failures.values().removeIf(f -> f.last().plus(FORGET_AFTER).isBefore(now));
        // Still full (an attack from many addresses): drop arbitrary entries rather than grow without bound.
        Iterator<String> it = failures.keySet().iterator();
        while (failures.size() >= MAX_KEYS && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
