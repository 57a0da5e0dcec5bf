package org.bridgeappliance.it.harness;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Waiting on what listeners put in a queue (stanzas, events): the first match before a deadline. */
public final class Queues {
    private Queues() {
    }

    /**
     * Takes from {@code queue} until an element matches (the ones before it are dropped); fails naming
     * {@code what} if none does before {@code deadline}.
     */
    public static <T> T firstMatching(BlockingQueue<T> queue, String what, Predicate<T> match, Instant deadline)
            throws InterruptedException {
        while (true) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            T next = queue.poll(Math.max(0, left), TimeUnit.MILLISECONDS);
            if (next == null) {
                throw new AssertionError("did not see " + what);
            }
            if (match.test(next)) {
                return next;
            }
        }
    }
}
