package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writers racing on the same keys: the unique constraints decide, the contracts hold. */
class ConcurrentWritesTest {
    private static final int THREADS = 6;

    private MappingDatabase db;
    private ExecutorService pool;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        db.close();
    }

    /** Runs {@code task} on every thread at once (a start gate, no sleeps) and returns the outcomes. */
    private <T> List<Future<T>> race(Callable<T> task) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                assertTrue(go.await(10, TimeUnit.SECONDS));
                return task.call();
            }));
        }
        assertTrue(ready.await(10, TimeUnit.SECONDS));
        go.countDown();
        return futures;
    }

    @Test
    void markingOneTransactionFromManyThreadsIsIdempotent() throws Exception {
        for (Future<Boolean> f : race(() -> {
            db.stores().transactions().markProcessed("matrix", "txn-race");
            return true;
        })) {
            assertTrue(f.get(30, TimeUnit.SECONDS));
        }
        assertTrue(db.stores().transactions().isProcessed("matrix", "txn-race"));
    }

    @Test
    void oneOfManyCreatesOfTheSameAdminWins() throws Exception {
        int won = 0;
        int conflicts = 0;
        for (Future<Boolean> f : race(() -> {
            try {
                db.adminUsers().create("Root", "pw".toCharArray());
                return true;
            } catch (StoreConflictException e) {
                return false;
            }
        })) {
            if (f.get(30, TimeUnit.SECONDS)) {
                won++;
            } else {
                conflicts++;
            }
        }
        assertEquals(1, won);
        assertEquals(THREADS - 1, conflicts);
        assertEquals(1, db.adminUsers().all().size());
    }

    @Test
    void concurrentAppendsGetDistinctSequencesAndAllArePending() throws Exception {
        List<Future<List<Long>>> futures = race(() -> {
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                mine.add(db.stores().outbox().append(RoomId.of("r"), BridgeMessageId.of("m-" + Thread.currentThread().getId()
                        + "-" + i), TestEvents.minimal().get(0)).sequence());
            }
            return mine;
        });
        HashSet<Long> all = new HashSet<>();
        for (Future<List<Long>> f : futures) {
            List<Long> mine = f.get(30, TimeUnit.SECONDS);
            for (int i = 1; i < mine.size(); i++) {
                assertTrue(mine.get(i) > mine.get(i - 1), "one thread's appends are in order");
            }
            all.addAll(mine);
        }
        assertEquals(THREADS * 20, all.size(), "no sequence handed out twice");
        assertEquals(all, new HashSet<>(db.stores().outbox().pending().stream().map(OutboxEntry::sequence).toList()));
    }

    @Test
    void racingRecordsOfOneReactionLeaveOneRow() throws Exception {
        Portal portal = Portal.of("matrix", "!r:x");
        UserRef reactor = UserRef.of("xmpp", "a@x");
        BridgeMessageId message = BridgeMessageId.of("m");
        for (Future<Boolean> f : race(() -> {
            db.stores().reactions().record(new ReactionMapping(message, portal, reactor, "+1",
                    RemoteMessageId.of("$" + Thread.currentThread().getId())));
            return true;
        })) {
            try {
                assertTrue(f.get(30, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                throw new AssertionError("a racing record failed", e.getCause());
            }
        }
        assertEquals(1, db.stores().reactions().byReactor(message, portal, reactor).size());
    }
}
