package org.bridgeappliance.core.store;

import java.util.function.Supplier;

/**
 * Store calls that belong together: the router groups the writes of one acceptance (outbox entry, origin copy,
 * archive row, reaction) and of one delivery (the copy's record, the outbox mark or completion) so that a
 * transactional implementation commits each group once instead of once per call.
 *
 * <p>What an implementation promises:
 * <ul>
 *   <li>{@link #inOne}: the store calls {@code work} makes on the calling thread take effect together, durably,
 *       before {@code inOne} returns; if {@code work} throws, none of them does (the exception is rethrown). If
 *       the final commit fails, a {@link StoreException} is thrown and none of them took effect. Nested
 *       {@code inOne} calls join the outer group (as a part: see {@link #attempt}).</li>
 *   <li>{@link #attempt}: a part of the group that may fail on its own (a best-effort write, a conflict the caller
 *       handles): if it throws, its own writes are undone and the rest of the group stays intact and can still
 *       commit. Outside {@code inOne} it simply runs {@code work}.</li>
 * </ul>
 * Store calls made on other threads are not part of the group. Implementations without transactions (the
 * in-memory stores: {@link #DIRECT}) run the work as it comes; each call is then on its own, as without a
 * unit of work.
 */
public interface UnitOfWork {
    /** Runs {@code work} so that its store calls commit together; see the interface's description. */
    <T> T inOne(Supplier<T> work);

    /** Runs {@code work} as a part of the current group whose failure undoes only its own writes. */
    <T> T attempt(Supplier<T> work);

    /** As {@link #inOne(Supplier)} for work without a result. */
    default void inOne(Runnable work) {
        inOne(() -> {
            work.run();
            return null;
        });
    }

    /** As {@link #attempt(Supplier)} for work without a result. */
    default void attempt(Runnable work) {
        attempt(() -> {
            work.run();
            return null;
        });
    }

    /** No transactions: runs the work; every store call stands on its own. */
    UnitOfWork DIRECT = new UnitOfWork() {
        @Override
        public <T> T inOne(Supplier<T> work) {
            return work.get();
        }

        @Override
        public <T> T attempt(Supplier<T> work) {
            return work.get();
        }
    };
}
