package org.bridgeappliance.core.bench;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.BenchAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of the router with in-memory stores and in-memory adapters: a message submitted into one portal of
 * a bridged room with three portals (origin + two targets) until both targets have it (accepted, appended to
 * the outbox, origin copy recorded, fanned out through the room pipeline, delivered twice, both copies
 * recorded, outbox entry completed). One op = one message end to end; each invocation submits
 * {@link #BATCH} messages (spread over {@code rooms} rooms) and waits for all 2 x BATCH deliveries.
 *
 * <p>Run: {@code mvn -q -pl bridge-core test-compile exec:exec -Pbench} (see BENCHMARKS.md). Allocation per
 * message is {@code gc.alloc.rate.norm} of {@code -prof gc}; it counts every thread (submitter and pipeline).
 */
// A fixed heap: the in-memory stores grow during an iteration, heap resizing would add noise.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RouterBenchmark {
    static final int BATCH = 1000;

    /** Rooms the batch is spread over (round robin): 1 = one ordered pipeline; 4 = independent rooms in parallel. */
    @Param({"1", "4"})
    public int rooms;

    /**
     * "memory": {@link InMemoryStores} as they are (the message map grows by three rows per message, so the
     * collector copies an ever larger live set); "bounded": the same stores with a message map that keeps the
     * last 10,000 messages, i.e. the router's own cost at a steady heap (the JDBC store keeps nothing on it).
     */
    @Param({"memory", "bounded"})
    public String store;

    private BridgeStores stores;
    private Router router;
    private BenchAdapter origin;
    private BenchAdapter targetA;
    private BenchAdapter targetB;
    private List<TestEvents> senders;
    private long next;

    @Setup(Level.Iteration)
    public void setUp() {
        // Fresh stores every iteration: the in-memory message map grows by three rows per message.
        BridgeStores memory = InMemoryStores.create();
        stores = store.equals("bounded")
                ? new BridgeStores(memory.rooms(), new BoundedMessageMapStore(10_000), memory.reactions(),
                        memory.outbox(), memory.puppets(), memory.identities(), memory.transactions())
                : memory;
        origin = new BenchAdapter("xmpp");
        targetA = new BenchAdapter("matrix");
        targetB = new BenchAdapter("sip");
        senders = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            Portal x = Portal.of("xmpp", "room" + r + "@muc.example");
            stores.rooms().create("room" + r, List.of(x, Portal.of("matrix", "!room" + r + ":example"),
                    Portal.of("sip", "sip:room" + r + "@bridge.example")), true);
            senders.add(TestEvents.in(x).named("Alice"));
        }
        router = new Router(stores, List.of(origin, targetA, targetB),
                new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(50), 100_000, Duration.ofSeconds(5)),
                Clock.systemUTC());
        router.start();
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        router.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long messageToTwoTargets() throws InterruptedException {
        long expectedA = targetA.delivered.get() + BATCH;
        long expectedB = targetB.delivered.get() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            MessageEvent event = senders.get(i % rooms).text("m" + (next++), "hello from the benchmark");
            if (router.submit(event) != Acceptance.QUEUED) {
                throw new IllegalStateException("not queued: " + event);
            }
        }
        targetA.awaitDelivered(expectedA);
        targetB.awaitDelivered(expectedB);
        return next;
    }
}
