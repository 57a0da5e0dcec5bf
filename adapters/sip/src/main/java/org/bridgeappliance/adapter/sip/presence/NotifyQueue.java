package org.bridgeappliance.adapter.sip.presence;

import java.util.Objects;
import java.util.Optional;

/**
 * Flow control for one subscription's NOTIFYs: at most one in flight, and while one is in flight only the newest
 * state waits (RFC 6665 §4.2.2 lets a notifier rate-limit; older states are of no use to a watcher). Three
 * updates during one NOTIFY transaction therefore produce exactly one follow-up NOTIFY, with the third state.
 *
 * <p>Not thread-safe: {@link PresenceSubscriptions} calls it under its own lock. Wiring: {@link #offer} when a new
 * state is to be notified (a SUBSCRIBE accepted, a presence change), {@link #onAnswered} when the NOTIFY's client
 * transaction ends ({@code SipListener.processResponse} with a final response, or {@code processTimeout}).
 *
 * @param <T> what a NOTIFY carries
 */
public final class NotifyQueue<T> {
    private boolean inFlight;
    private T waiting;
    private long coalesced;

    /**
     * @return the value to send now (the caller must then report {@link #onAnswered}), or empty when a NOTIFY is
     *         in flight and {@code next} waits, replacing whatever waited before
     */
    public Optional<T> offer(T next) {
        Objects.requireNonNull(next, "next");
        if (inFlight) {
            if (waiting != null) {
                coalesced++;
            }
            waiting = next;
            return Optional.empty();
        }
        inFlight = true;
        return Optional.of(next);
    }

    /** @return the waiting value to send now (still in flight), or empty when nothing waits (idle again) */
    public Optional<T> onAnswered() {
        if (waiting != null) {
            T next = waiting;
            waiting = null;
            return Optional.of(next);
        }
        inFlight = false;
        return Optional.empty();
    }

    public boolean inFlight() {
        return inFlight;
    }

    /** How many waiting values were replaced by a newer one without being sent. */
    public long coalesced() {
        return coalesced;
    }
}
