package org.bridgeappliance.adapter.xmpp.component;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect backoff with jitter: attempt n waits a random time between half and all of
 * {@code min(max, initial * 2^n)}, so that many bridges (or one bridge after a server restart) do not
 * reconnect in lockstep (the reconnect storms seen in matrix-appservice-irc #86).
 *
 * <p>Not thread-safe: owned by the session's supervisor thread.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        this.random = Objects.requireNonNull(random, "random");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** The wait before the next attempt; each call counts one more failure. */
    public Duration nextDelay() {
        long ceiling = ceilingMillis(attempt);
        attempt = Math.min(attempt + 1, 62);
        double factor = 0.5 + 0.5 * random.getAsDouble();
        return Duration.ofMillis(Math.max(1, (long) (ceiling * factor)));
    }

    /** The longest wait; used after an error only an admin can fix (a wrong secret). */
    public Duration maxDelay() {
        return Duration.ofMillis(Math.max(1, (long) (max.toMillis() * (0.5 + 0.5 * random.getAsDouble()))));
    }

    /** Back to the first delay, after a connection that worked. */
    public void reset() {
        attempt = 0;
    }

    private long ceilingMillis(int n) {
        long base = initial.toMillis();
        long cap = max.toMillis();
        if (n >= 40 || base << n <= 0) {
            return cap;
        }
        return Math.min(cap, base << n);
    }
}
