package org.bridgeappliance.core.router;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the {@link Router}.
 *
 * @param maxAttempts      how many times one delivery is tried before it is given up and reported back to its
 *                         author (at least 1)
 * @param initialBackoff   the wait after the first transient failure; doubled on each further failure (with
 *                         jitter), capped at {@code maxBackoff}
 * @param maxBackoff       the longest wait between two tries; also caps a network's {@code retryAfter}
 * @param maxQueuedPerRoom how many accepted events one room may have waiting for delivery before
 *                         {@link Router#submit} blocks briefly and then refuses with
 *                         {@link org.bridgeappliance.core.port.IngressUnavailableException}
 * @param shutdownTimeout  how long {@link Router#close()} lets pipelines drain before it stops them (whatever
 *                         is still pending stays in the outbox and is replayed at the next start)
 */
public record RouterConfig(int maxAttempts, Duration initialBackoff, Duration maxBackoff, int maxQueuedPerRoom,
                           Duration shutdownTimeout) {
    public RouterConfig {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff must be positive");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
        }
        if (maxQueuedPerRoom < 1) {
            throw new IllegalArgumentException("maxQueuedPerRoom must be at least 1, was " + maxQueuedPerRoom);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout must not be negative");
        }
    }

    /**
     * 10 attempts, 1 s doubling up to 5 min (about 8.5 minutes of retrying in all), 1000 queued events per room,
     * 10 s to drain at shutdown.
     */
    public static RouterConfig defaults() {
        return new RouterConfig(10, Duration.ofSeconds(1), Duration.ofMinutes(5), 1000, Duration.ofSeconds(10));
    }

    /**
     * The nominal wait before try {@code attempt + 1} after {@code attempt} failed: {@code initialBackoff *
     * 2^(attempt-1)}, capped at {@code maxBackoff}; no jitter.
     */
    public Duration backoff(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long millis = initialBackoff.toMillis() << shift;
        if (millis <= 0 || millis > maxBackoff.toMillis()) {
            return maxBackoff;
        }
        return Duration.ofMillis(millis);
    }

    /** The whole retry budget: the sum of the waits between {@code maxAttempts} tries. */
    public Duration retryBudget() {
        Duration sum = Duration.ZERO;
        for (int a = 1; a < maxAttempts; a++) {
            sum = sum.plus(backoff(a));
        }
        return sum.isZero() ? initialBackoff : sum;
    }
}
