import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.sql.Connection;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.testing.BenchAdapter;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.mapping.H2DataSources;
import org.bridgeappliance.mapping.MappingDatabase;
import org.bridgeappliance.mapping.PasswordHasher;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.mvstore.MVStore;

/**
 * The appliance's own per-message cost without the networks (not a test): the router on the real JDBC stores (H2 in
 * file mode, as the appliance opens it) and two adapters that do no I/O, one bridged room of two portals (a DM or a
 * plumbed room: origin + one target). Per message: acceptance (duplicate check, outbox append, origin copy, archive),
 * the room pipeline, the delivery, the copy's record, the outbox completion. Measures the process's CPU time and the
 * bytes allocated by the submitting and the pipeline threads per message, after a warm-up (the JIT), and the
 * appliance-only ceiling in messages per second for one room (back-to-back, each message delivered before the next
 * is counted), H2's commits per message (MVStore versions: one per commit that wrote something) and the size of the
 * database file after each phase. Compare commits by running it against each one's {@code bridge-core} and {@code bridge-mapping} jars.
 *
 * <p>{@code . deploy/bench/lib.sh; BENCH_JAVA_OPTS="$(launcher_options)" bench_java 512m RouterDbBench.java
 * [messages=20000] [warm-up=20000] [messages/s of the measured phase, 0 = back to back] [rooms=1] [submitting threads=1]}
 * (README.md, "Hot path"). With several rooms the messages go round-robin over them (each room its own pipeline), and
 * with several submitting threads the acceptances run in parallel as on the adapters' inbound threads: the
 * appliance-only ceiling in total rather than per room.
 */
public final class RouterDbBench {
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        rooms = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        submitters = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        if (submitters > 1) {
            pool = java.util.concurrent.Executors.newFixedThreadPool(submitters, r -> {
                Thread t = new Thread(r, "bench-submitter");
                t.setDaemon(true);
                return t;
            });
        }
        Path dir = Files.createTempDirectory("router-db-bench");
        Portal[] xmpp = new Portal[rooms];
        UserRef alice = UserRef.of("xmpp", "alice@xmpp.test");
        BenchAdapter target = new BenchAdapter("matrix");
        try (MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(1))) {
            for (int r = 0; r < rooms; r++) {
                // One room: a DM when there is one, else plumbed rooms (a MUC and a Matrix room each).
                xmpp[r] = rooms == 1 ? Portal.of("xmpp", "alice@xmpp.test")
                        : Portal.of("xmpp", "room" + r + "@conference.xmpp.test");
                Portal matrix = Portal.of("matrix", rooms == 1 ? "!dm:matrix.test" : "!room" + r + ":matrix.test");
                db.stores().rooms().create(rooms == 1 ? "dm" : "room" + r, List.of(xmpp[r], matrix), true);
            }
            Router router = new Router(db.stores(), List.of(new BenchAdapter("xmpp"), target),
                    new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(50), 100_000, Duration.ofSeconds(5)),
                    Clock.systemUTC());
            router.start();
            java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
            Runnable send = () -> {
                long n = next.getAndIncrement();
                MessageEvent event = new MessageEvent(new EventMeta(xmpp[(int) (n % rooms)], alice, Profile.named("Alice"),
                        Optional.of(RemoteMessageId.of("origin-id-" + n + "-0123456789")), Instant.now()),
                        MessageKind.TEXT, MessageBody.plain("hello from the benchmark, message " + n), List.of(),
                        Optional.empty());
                if (router.submit(event) != Acceptance.QUEUED) {
                    throw new IllegalStateException("not queued: " + event);
                }
            };
            Path file = dir.resolve(H2DataSources.DATABASE_NAME + ".mv.db");
            JdbcConnectionPool probe = H2DataSources.file(dir); // the same open database (one JVM): H2's commit counter
            try (Connection c = probe.getConnection()) {
                MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore()
                        .getMvStore();
                run(send, target, warmUp, "warm-up", store, file, 0);
                run(send, target, count, "measured", store, file, rate);
            } finally {
                probe.dispose();
            }
            router.close();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Threads that submit (accept) messages in parallel in the back-to-back phases. */
    static int submitters = 1;
    /** The submitting threads (more than one): they live as long as the program, so their allocation is counted. */
    static java.util.concurrent.ExecutorService pool;

    /** {@code rate}: messages per second for the measured phase (0: back to back, in batches of 100). */
    static int rooms = 1;

    static void run(Runnable send, BenchAdapter target, int count, String what, MVStore store, Path file, int rate)
            throws Exception {
        long version0 = store.getCurrentVersion();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) threads;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long bytes0 = allocated(alloc);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        if (rate > 0) {
            // A steady sender at a homeserver-like rate: the file size then shows what a running appliance sees.
            long delivered = target.delivered.get();
            for (int i = 0; i < count; i++) {
                long due = t0 + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                send.run();
            }
            target.awaitDelivered(delivered + count);
        }
        // In batches of 100: the pipeline works while the next ones are accepted, as with a steady sender.
        for (int i = 0; rate == 0 && i < count; i += 100) {
            long expected = target.delivered.get() + Math.min(100, count - i);
            int batch = Math.min(100, count - i);
            if (submitters == 1) {
                for (int k = 0; k < batch; k++) {
                    send.run();
                }
            } else {
                java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(batch);
                List<java.util.concurrent.Callable<Void>> tasks = new java.util.ArrayList<>();
                for (int t = 0; t < submitters; t++) {
                    tasks.add(() -> {
                        while (left.getAndDecrement() > 0) {
                            send.run();
                        }
                        return null;
                    });
                }
                for (java.util.concurrent.Future<Void> f : pool.invokeAll(tasks)) {
                    f.get();
                }
            }
            target.awaitDelivered(expected);
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long bytes = allocated(alloc) - bytes0;
        long commits = store.getCurrentVersion() - version0;
        System.out.printf("%s: %.2f H2 commits (MVStore versions) per message; %s is %.1f MB%n", what,
                (double) commits / count, file.getFileName(), Files.size(file) / 1e6);
        System.out.printf("%s: %d messages, %.3f ms CPU per message (all threads, JIT and GC included), %.1f KB"
                        + " allocated per message, %.0f messages/s (%s, wall, on this machine: %s)%n",
                what, count, cpu / 1e6 / count, bytes / 1024.0 / count, count / (wall / 1e9),
                rooms == 1 ? "one room" : rooms + " rooms, " + submitters + " submitting thread(s)",
                Files.exists(Path.of("/proc/loadavg")) ? "load " + readLoad() : "?");
    }

    static String readLoad() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** Bytes allocated so far by the live threads (the submitter and the router's pool). */
    static long allocated(com.sun.management.ThreadMXBean alloc) {
        long sum = 0;
        for (long b : alloc.getThreadAllocatedBytes(alloc.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }
}
