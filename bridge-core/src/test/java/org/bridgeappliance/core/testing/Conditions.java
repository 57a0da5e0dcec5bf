package org.bridgeappliance.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline, for state that another thread settles after a signal the test saw. */
public final class Conditions {

    private Conditions() {
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} if it does not within {@code timeout}.
     * Polls without sleeping a fixed time: the condition is re-checked as soon as the thread is scheduled again.
     */
    public static void eventually(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
