import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.mapping.MappingDatabase;
import org.bridgeappliance.mapping.PasswordHasher;

/**
 * Scale benchmark of the appliance's database (not a test): fills an H2 data directory through the mapping module's
 * own stores with {@code rooms} bridged rooms (an XMPP MUC and a Matrix room each), {@code puppets} puppets (half
 * Matrix ghosts of XMPP users, half XMPP puppets of Matrix users) and {@code rows} message-map rows (an origin and a
 * copy per message, spread over the rooms), then reopens it and measures what the hot path asks of it: the CPU time
 * of a room lookup by portal, a message lookup by remote id (findInPortal, as the echo check does), by author (the
 * duplicate check) and a puppet lookup, after a warm-up; the time to open the database (the schema check and the room
 * directory's first load) and the heap live after a full collection with the room directory loaded.
 *
 * <p>Run by deploy/bench/scale.sh: {@code ScaleBench.java <data-dir> [rooms=1000] [puppets=10000] [rows=100000]};
 * an existing directory is reused (only the measurements run). {@code ScaleBench.java --add <data-dir> ...} fills
 * into an existing database (the sandbox appliance's, stopped) and measures nothing: deploy/bench/scale-traffic.sh. The appliance's own start-up on the directory is
 * measured by {@code BENCH_DATA=<data-dir> deploy/bench-startup.sh}.
 */
public final class ScaleBench {
    static final Network XMPP = Network.of("xmpp");
    static final Network MATRIX = Network.of("matrix");
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        // "--add": fill into an existing database (the sandbox appliance's, deploy/bench/scale-traffic.sh), no measuring
        boolean add = args[0].equals("--add");
        if (add) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        Path dir = Path.of(args[0]);
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int puppets = args.length > 2 ? Integer.parseInt(args[2]) : 10000;
        int rows = args.length > 3 ? Integer.parseInt(args[3]) : 100000;
        boolean fill = add || !Files.exists(dir.resolve("bridge.mv.db"));
        if (fill) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            try (MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(1))) {
                fill(db.stores(), rooms, puppets, rows);
            }
            System.out.printf("filled %s: %d rooms, %d puppets, %d message-map rows in %.1f s (%.1f s CPU), file %d MB%n",
                    dir, rooms, puppets, rows, (System.nanoTime() - t0) / 1e9,
                    (THREADS.getCurrentThreadCpuTime() - c0) / 1e9, Files.size(dir.resolve("bridge.mv.db")) >> 20);
        }
        if (!add) {
            measure(dir, rooms, puppets, rows);
        }
    }

    static Portal muc(int i) {
        return new Portal(XMPP, org.bridgeappliance.core.id.RemoteRoomId.of("room" + i + "@conference.xmpp.test"));
    }

    static Portal matrixRoom(int i) {
        return new Portal(MATRIX, org.bridgeappliance.core.id.RemoteRoomId.of("!r" + i + "abcdefghijklmnop:matrix.test"));
    }

    static UserRef xmppUser(int i) {
        return new UserRef(XMPP, RemoteUserId.of("user" + i + "@xmpp.test"));
    }

    static UserRef matrixUser(int i) {
        return new UserRef(MATRIX, RemoteUserId.of("@user" + i + ":matrix.test"));
    }

    static RemoteMessageId originId(int message) {
        return RemoteMessageId.of("origin-" + message + "-0123456789abcdef");
    }

    static void fill(BridgeStores stores, int rooms, int puppets, int rows) {
        List<BridgedRoom> all = new ArrayList<>(rooms);
        for (int i = 0; i < rooms; i++) {
            all.add(stores.rooms().create("room " + i, List.of(muc(i), matrixRoom(i)), true));
        }
        Instant now = Instant.now();
        for (int i = 0; i < puppets; i++) {
            if (i % 2 == 0) { // an XMPP user's Matrix ghost
                stores.puppets().save(new Puppet(xmppUser(i), MATRIX,
                        RemoteUserId.of("@_xmpp_user" + i + "=40xmpp.test:matrix.test"), Profile.named("user " + i), now));
            } else { // a Matrix user's XMPP puppet
                stores.puppets().save(new Puppet(matrixUser(i), XMPP,
                        RemoteUserId.of("user" + i + "=matrix.test@matrix.xmpp.test"), Profile.named("user " + i), now));
            }
        }
        for (int m = 0; m < rows / 2; m++) {
            BridgedRoom room = all.get(m % all.size());
            UserRef author = xmppUser((m % puppets) & ~1);
            BridgeMessageId id = BridgeMessageId.of(UUID.randomUUID().toString());
            stores.messages().record(List.of(
                    new MessageMapping(id, room.id(), room.portals().get(0), author, originId(m), 0, true, now),
                    new MessageMapping(id, room.id(), room.portals().get(1), author,
                            RemoteMessageId.of("$copy" + m + "abcdefghijklmnopqrstuvwxyz012345"), 0, false, now)));
        }
    }

    static void measure(Path dir, int rooms, int puppets, int rows) {
        long t0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        try (MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(1))) {
            BridgeStores stores = db.stores();
            stores.rooms().findByPortal(muc(0)); // the room directory loads everything at the first read
            System.out.printf("open + schema check + room directory load: %.0f ms wall, %.0f ms CPU%n",
                    (System.nanoTime() - t0) / 1e6, (THREADS.getCurrentThreadCpuTime() - c0) / 1e6);
            Random random = new Random(42);
            int messages = rows / 2;
            List<String> results = new ArrayList<>();
            results.add(lookup("room by portal (rooms().findByPortal)", 20000,
                    i -> stores.rooms().findByPortal(matrixRoom(random.nextInt(rooms))).orElseThrow()));
            results.add(lookup("message by remote id (messages().findInPortal)", 5000, i -> {
                int m = random.nextInt(messages);
                if (stores.messages().findInPortal(muc(m % rooms), originId(m)).isEmpty()) {
                    throw new IllegalStateException("message " + m + " not found");
                }
            }));
            results.add(lookup("message by author (messages().findByAuthor)", 5000, i -> {
                int m = random.nextInt(messages);
                stores.messages().findByAuthor(muc(m % rooms), xmppUser((m % puppets) & ~1), originId(m)).orElseThrow();
            }));
            results.add(lookup("puppet by puppet id (puppets().findByPuppetId)", 5000, i -> {
                int p = random.nextInt(puppets / 2) * 2;
                stores.puppets().findByPuppetId(MATRIX,
                        RemoteUserId.of("@_xmpp_user" + p + "=40xmpp.test:matrix.test")).orElseThrow();
            }));
            results.add(lookup("puppet by person (puppets().find)", 5000, i -> {
                int p = random.nextInt(puppets / 2) * 2 + 1;
                stores.puppets().find(matrixUser(p), XMPP).orElseThrow();
            }));
            results.forEach(System.out::println);
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("heap live after a full GC (H2 page cache, room directory): %d MB%n",
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }

    /** CPU µs per call of {@code call}, after as many warm-up calls. */
    static String lookup(String what, int n, IntConsumer call) {
        for (int i = 0; i < n; i++) {
            call.accept(i);
        }
        long c0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            call.accept(i);
        }
        return String.format("  %-52s %8.1f µs CPU per lookup (%d lookups after %d warm-up)", what,
                (THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / n, n, n);
    }
}
