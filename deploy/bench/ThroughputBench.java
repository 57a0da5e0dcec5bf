import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Throughput benchmark of the running sandbox appliance (not a test): how many messages per second reach a Matrix
 * user's /sync when sent as fast as ordering allows, directly on Synapse and through the bridge.
 *
 * <p>Phases, one receiver throughout (Matrix carol, one long-polling /sync loop, as in LatencyBench):
 * <ol>
 *   <li>(a) Synapse ceiling for ordered delivery: Matrix dave sends {@code count} messages into a room with carol,
 *       sequentially (each PUT after the previous one returned) -- what the bridge's per-room pipeline does.</li>
 *   <li>(b) bridged burst: one XMPP user (Smack, through Prosody) sends {@code count} messages back-to-back to
 *       carol's puppet JID (a bridged 1:1 DM); order, loss and duplicates are checked on carol's timeline.</li>
 *   <li>(c) with rooms &gt; 1: {@code count} messages spread over {@code rooms} XMPP users (one bridged DM each),
 *       all sending back-to-back in parallel; aggregate rate, order per room.</li>
 * </ol>
 * For each phase: msgs/s from the first send until carol's sync has seen the last message; CPU seconds used by
 * Synapse, the appliance, Prosody and this JVM (/proc/&lt;pid&gt;/stat utime+stime) during the window and until the
 * servers are idle again; the machine's other CPU use and load average; and Synapse's own access log for the window,
 * grouped by requester and endpoint (requests per message, Synapse's in-request CPU), plus the AS transaction pushes
 * to the appliance. Run with deploy/bench/throughput.sh; arguments: [count=500] [rooms=1] [rounds=1] (rounds &gt; 1
 * repeats (a), (b), (c) in turn, so that others' load on a shared machine hits both sides alike). Exit status 1 if a
 * message was lost or a send failed.
 */
public final class ThroughputBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final int MAX_COUNT = 100_000;
    static final int MAX_ROOMS = 64;
    static Map<String, String> env;
    static Path root;
    static String run;
    static long clkTck;

    // --- what carol's sync loop saw
    /** body -> first arrival (System.nanoTime()). */
    static final Map<String, Long> arrived = new ConcurrentHashMap<>();
    /** body -> number of distinct events carrying it (more than 1 = duplicated). */
    static final Map<String, Integer> copies = new ConcurrentHashMap<>();
    static final Set<String> seenEvents = ConcurrentHashMap.newKeySet();
    /** room id -> bodies in timeline order. */
    static final Map<String, List<String>> timelines = new ConcurrentHashMap<>();
    static final Map<String, String> invites = new ConcurrentHashMap<>();
    static final AtomicInteger limitedTimelines = new AtomicInteger();
    static final AtomicInteger syncs = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        String usage = "usage: throughput.sh [count 1.." + MAX_COUNT + "] [rooms 1.." + MAX_ROOMS + ", at most count]"
            + " [rounds 1..20]";
        int count;
        int rooms;
        int rounds;
        try {
            count = args.length > 0 ? Integer.parseInt(args[0]) : 500;
            rooms = args.length > 1 ? Integer.parseInt(args[1]) : 1;
            rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        } catch (NumberFormatException e) {
            System.err.println(usage);
            System.exit(2);
            return;
        }
        if (args.length > 3 || count < 1 || count > MAX_COUNT || rooms < 1 || rooms > MAX_ROOMS || rooms > count
            || rounds < 1 || rounds > 20) {
            System.err.println(usage);
            System.exit(2);
            return;
        }
        root = Path.of(System.getProperty("bench.repo.root", "."));
        clkTck = Long.getLong("bench.clk.tck", 100L);
        env = LatencyBench.env = readEnv(root.resolve(".sandbox/env"));
        if (!"running".equals(env.get("APPLIANCE_STATE"))) {
            throw new IllegalStateException("the sandbox's appliance does not run: deploy/sandbox.sh up");
        }
        Map<String, Integer> pids = new LinkedHashMap<>();
        pids.put("synapse", pidOf("synapse", "synapse.app.homeserver"));
        pids.put("appliance", pidOf("appliance", "bridge-appliance"));
        pids.put("prosody", pidOf("prosody", "prosody"));
        pids.put("bench", (int) ProcessHandle.current().pid());
        run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

        // --- accounts: carol receives, dave sends Matrix-only, benchbob<k> send through the bridge
        String[] carol = registerMatrix("benchcarol_" + run);
        String[] dave = registerMatrix("benchdave_" + run);
        XMPPTCPConnection[] senders = new XMPPTCPConnection[rooms];
        String[] ghosts = new String[rooms];
        for (int k = 0; k < rooms; k++) {
            String local = "benchbob" + k + "_" + run;
            senders[k] = xmppRegister(local, "pw_" + run);
            ghosts[k] = LatencyBench.ghostOf(local);
        }
        EntityBareJid puppet = LatencyBench.puppetOf("benchcarol_" + run);

        AtomicBoolean stop = new AtomicBoolean();
        Thread syncer = startSync(carol[1], stop);

        // --- the bridged 1:1 chats (one per XMPP sender) and the Matrix-only room
        String[] dms = new String[rooms];
        for (int k = 0; k < rooms; k++) {
            String hello = "tp hello " + run + " " + k;
            senders[k].sendStanza(chat(senders[k], puppet, hello));
            dms[k] = awaitValue(invites, ghosts[k], Duration.ofSeconds(60), "the DM invite from " + ghosts[k]);
            call("POST", "/_matrix/client/v3/join/" + enc(dms[k]), carol[1], JSON.createObjectNode());
            awaitKeys(List.of(hello), Duration.ofSeconds(60));
        }
        ObjectNode create = JSON.createObjectNode().put("preset", "private_chat");
        create.putArray("invite").add(carol[0]);
        String mRoom = call("POST", "/_matrix/client/v3/createRoom", dave[1], create).path("room_id").asText();
        awaitValue(invites, dave[0], Duration.ofSeconds(30), "dave's invite");
        call("POST", "/_matrix/client/v3/join/" + enc(mRoom), carol[1], JSON.createObjectNode());

        // --- warm-up (JIT, connection pools, caches): 30 each way per room, not measured
        List<String> warm = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            for (int k = 0; k < rooms; k++) {
                String b = "tp warm x " + run + " " + k + " " + i;
                senders[k].sendStanza(chat(senders[k], puppet, b));
                warm.add(b);
            }
            String b = "tp warm m " + run + " " + i;
            send(dave[1], mRoom, b);
            warm.add(b);
        }
        awaitKeys(warm, Duration.ofSeconds(120));
        settle(pids);

        System.out.printf("throughput benchmark, run %s: count=%d rooms=%d rounds=%d, (a) content %s, %d cores, CPU ticks %d/s;"
            + " pids %s%n", run, count, rooms, rounds, MENTIONS ? "with m.mentions {} (like the bridge's)" : "bare (no m.mentions)",
            Runtime.getRuntime().availableProcessors(), clkTck, pids);
        boolean ok = true;
        // per round: {rate a, b, c; Synapse CPU ms/msg a, b, c; others' CPU s during a, b, c}
        List<double[]> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String tag = run + "." + round;
            String label = rounds > 1 ? " [round " + (round + 1) + "/" + rounds + "]" : "";
            double[] r = new double[9];
            java.util.Arrays.fill(r, Double.NaN);

            // --- (a) Synapse's ceiling for ordered delivery: sequential PUTs by a Matrix user
            List<String> aBodies = bodies("ta " + tag + " 0 ", 0, count, 1);
            Phase a = Phase.begin("(a) Matrix user, sequential PUTs, 1 room" + label, count, pids);
            for (String b : aBodies) {
                send(dave[1], mRoom, b); // each PUT after the previous one returned: Synapse's ordered rate
            }
            a.sent();
            ok &= a.finish(aBodies, Map.of(mRoom, aBodies), pids);
            r[0] = a.rate();
            r[3] = a.synapseCpuPerMsg();
            r[6] = a.othersCpu;

            if (CEILING_ONLY) {
                results.add(r);
                continue;
            }
            // --- (b) bridged burst: one XMPP user, back-to-back, one bridged DM
            List<String> bBodies = bodies("tb " + tag + " 0 ", 0, count, 1);
            Phase b = Phase.begin("(b) XMPP user back-to-back through the bridge, 1 DM" + label, count, pids);
            for (String body : bBodies) {
                senders[0].sendStanza(chat(senders[0], puppet, body));
            }
            b.sent();
            ok &= b.finish(bBodies, Map.of(dms[0], bBodies), pids);
            r[1] = b.rate();
            r[4] = b.synapseCpuPerMsg();
            r[7] = b.othersCpu;

            // --- (c) the same spread over N bridged DMs in parallel
            if (rooms > 1) {
                Map<String, List<String>> perRoom = new LinkedHashMap<>();
                List<String> all = new ArrayList<>();
                for (int k = 0; k < rooms; k++) {
                    List<String> mine = bodies("tc " + tag + " " + k + " ", k, count, rooms);
                    perRoom.put(dms[k], mine);
                    all.addAll(mine);
                }
                CountDownLatch gate = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(rooms);
                AtomicInteger errors = new AtomicInteger();
                for (int k = 0; k < rooms; k++) {
                    final int n = k;
                    Thread t = new Thread(() -> {
                        try {
                            gate.await();
                            for (String body : perRoom.get(dms[n])) {
                                senders[n].sendStanza(chat(senders[n], puppet, body));
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            System.err.println("sender " + n + " failed: " + e);
                        } finally {
                            done.countDown();
                        }
                    }, "tp-sender-" + k);
                    t.setDaemon(true);
                    t.start();
                }
                Phase c = Phase.begin("(c) " + rooms + " XMPP users back-to-back in parallel, " + rooms + " DMs" + label,
                    count, pids);
                gate.countDown();
                if (!done.await(300, TimeUnit.SECONDS)) {
                    System.err.println("the XMPP senders did not finish within 300 s");
                    errors.incrementAndGet();
                }
                c.sent();
                ok &= c.finish(all, perRoom, pids) && errors.get() == 0;
                r[2] = c.rate();
                r[5] = c.synapseCpuPerMsg();
                r[8] = c.othersCpu;
            }
            results.add(r);
        }

        stop.set(true);
        for (XMPPTCPConnection c : senders) {
            c.disconnect();
        }
        for (int i = 0; i < results.size() && CEILING_ONLY; i++) {
            System.out.printf("summary%s: (a) Synapse ordered %.1f msg/s | Synapse CPU per message %.1f ms | run %s%n",
                results.size() > 1 ? " round " + (i + 1) : "", results.get(i)[0], results.get(i)[3], run);
        }
        for (int i = 0; i < results.size() && !CEILING_ONLY; i++) {
            double[] r = results.get(i);
            System.out.printf("summary%s: (a) Synapse ordered %.1f msg/s | (b) bridged 1 DM %.1f msg/s | efficiency (b)/(a) = %.2f"
                    + "%s | Synapse CPU per message: (a) %.1f ms, (b) %.1f ms (x%.2f)%s | others' CPU s: (a) %.1f, (b) %.1f%s"
                    + " | run %s%n",
                results.size() > 1 ? " round " + (i + 1) : "", r[0], r[1], r[1] / r[0],
                rooms > 1 ? String.format(" | (c) bridged %d DMs %.1f msg/s (x%.2f of (a))", rooms, r[2], r[2] / r[0]) : "",
                r[3], r[4], r[4] / r[3], rooms > 1 ? String.format(", (c) %.1f ms", r[5]) : "", r[6], r[7],
                rooms > 1 ? String.format(", (c) %.1f", r[8]) : "", run);
        }
        if (results.size() > 1 && !CEILING_ONLY) {
            double[] m = new double[6];
            for (int j = 0; j < 6; j++) {
                final int col = j;
                m[j] = median(results.stream().mapToDouble(r -> r[col]).toArray());
            }
            double eff = median(results.stream().mapToDouble(r -> r[1] / r[0]).toArray());
            System.out.printf("median of %d rounds: (a) %.1f msg/s | (b) %.1f msg/s | efficiency (b)/(a) %.2f%s | Synapse CPU per"
                    + " message: (a) %.1f ms, (b) %.1f ms (x%.2f)%s%n", results.size(), m[0], m[1], eff,
                rooms > 1 ? String.format(" | (c) %d DMs %.1f msg/s", rooms, m[2]) : "", m[3], m[4], m[4] / m[3],
                rooms > 1 ? String.format(", (c) %.1f ms", m[5]) : "");
        }
        System.exit(ok ? 0 : 1);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ---------------------------------------------------------------- one measured phase

    /** One measured phase: times, CPU snapshots and the Synapse log offset at its start. */
    static final class Phase {
        static Phase last;
        final String name;
        final int count;
        final long t0;
        final Map<String, Long> cpu0;
        final long[] machine0;
        final String load0;
        final long logOffset;
        final int limited0 = limitedTimelines.get();
        final int syncs0 = syncs.get();
        long tSent;
        long tDone;
        Map<String, Long> cpuDone;
        long[] machineDone;
        double othersCpu;
        Map<String, Long> cpuSettled;
        long tSettled;

        private Phase(String name, int count, Map<String, Integer> pids) throws Exception {
            this.name = name;
            this.count = count;
            this.logOffset = Files.size(synapseLog());
            this.load0 = loadAverage();
            this.machine0 = machineTicks();
            this.cpu0 = cpu(pids);
            this.t0 = System.nanoTime();
            System.err.println("phase started: " + name); // a marker for whoever watches (e.g. a profiler wrapper)
        }

        static Phase begin(String name, int count, Map<String, Integer> pids) throws Exception {
            awaitQuiet(pids);
            last = new Phase(name, count, pids);
            return last;
        }

        void sent() {
            tSent = System.nanoTime();
        }

        double seconds() {
            return (tDone - t0) / 1e9;
        }

        double rate() {
            return count / seconds();
        }

        double synapseCpuPerMsg() {
            return ticksToMs(cpuSettled.get("synapse") - cpu0.get("synapse")) / count;
        }

        /** Waits for every body, prints the phase's results; false if something was lost. */
        boolean finish(List<String> bodies, Map<String, List<String>> perRoom, Map<String, Integer> pids) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + bodies.size() / 2);
            while (System.nanoTime() < deadline && !allArrived(bodies)) {
                Thread.sleep(10); // polling the sync thread's results against a deadline
            }
            long lastArrival = 0;
            for (String b : bodies) {
                Long at = arrived.get(b);
                if (at != null) {
                    lastArrival = Math.max(lastArrival, at);
                }
            }
            cpuDone = cpu(pids);
            machineDone = machineTicks();
            int syncsDone = syncs.get() - syncs0;
            tDone = lastArrival == 0 ? System.nanoTime() : lastArrival;
            String loadDone = loadAverage();
            // stragglers (out of order or late) and the appliance's tail (AS transaction echoes): until the servers idle
            settle(pids);
            cpuSettled = cpu(pids);
            tSettled = System.nanoTime();
            long logEnd = Files.size(synapseLog());

            int received = 0;
            int duplicated = 0;
            for (String b : bodies) {
                if (arrived.containsKey(b)) {
                    received++;
                }
                if (copies.getOrDefault(b, 0) > 1) {
                    duplicated++;
                }
            }
            int outOfOrder = 0;
            List<String> orderExamples = new ArrayList<>();
            for (Map.Entry<String, List<String>> room : perRoom.entrySet()) {
                Map<String, Integer> index = new HashMap<>();
                for (int i = 0; i < room.getValue().size(); i++) {
                    index.put(room.getValue().get(i), i);
                }
                int max = -1;
                List<String> seen = timelines.getOrDefault(room.getKey(), List.of());
                synchronized (seen) {
                    for (String b : seen) {
                        Integer i = index.get(b);
                        if (i == null) {
                            continue;
                        }
                        if (i < max) {
                            outOfOrder++;
                            if (orderExamples.size() < 5) {
                                orderExamples.add("'" + b + "' after #" + max);
                            }
                        }
                        max = Math.max(max, i);
                    }
                }
            }
            System.out.printf("%s%n", name);
            System.out.printf("  %d/%d received in %.2f s = %.1f msg/s (all sent after %.2f s)%s%s; lost %d, duplicated %d,"
                    + " out of order %d%s%n", received, count, seconds(), rate(), (tSent - t0) / 1e9,
                name.startsWith("(a)") ? String.format(", %.1f ms per PUT", (tSent - t0) / 1e6 / count) : "",
                "", count - received, duplicated, outOfOrder, orderExamples.isEmpty() ? "" : " e.g. " + orderExamples);
            System.out.printf("  load average before %s, after %s; receiver: %d syncs%s%n", load0, loadDone, syncsDone,
                limitedTimelines.get() > limited0 ? String.format(", %d LIMITED timelines (gaps: messages may be missed)",
                limitedTimelines.get() - limited0) : "");
            StringBuilder cpuLine = new StringBuilder("  CPU seconds in the window (until tail idle):");
            double ours = 0;
            for (String p : cpu0.keySet()) {
                double w = ticksToMs(cpuDone.get(p) - cpu0.get(p)) / 1000;
                double s = ticksToMs(cpuSettled.get(p) - cpu0.get(p)) / 1000;
                ours += w;
                cpuLine.append(String.format(" %s %.2f (%.2f) = %.0f%% of a core, %.1f ms/msg;", p, w, s,
                    100 * w / seconds(), 1000 * s / count));
            }
            System.out.println(cpuLine);
            double busy = (machineDone[0] - machine0[0]) / (double) clkTck;
            double total = (machineDone[1] - machine0[1]) / (double) clkTck;
            othersCpu = Math.max(0, busy - ours);
            System.out.printf("  machine: %.2f of %.2f CPU seconds busy (%.0f%%), of which %.2f s by other processes"
                + " (others' builds/tests)%n", busy, total, total == 0 ? 0 : 100 * busy / total, othersCpu);
            synapseLogReport(logOffset, logEnd, count);
            return received == count;
        }
    }

    static boolean allArrived(List<String> bodies) {
        for (int i = bodies.size() - 1; i >= 0; i--) { // the last ones are the likeliest missing
            if (!arrived.containsKey(bodies.get(i))) {
                return false;
            }
        }
        return true;
    }

    static List<String> bodies(String prefix, int first, int count, int step) {
        List<String> out = new ArrayList<>();
        for (int i = first; i < count; i += step) {
            out.add(prefix + i);
        }
        return out;
    }

    /**
     * Waits until Synapse and the appliance are idle (together under 10 % of a core over 500 ms), at most 20 s: the
     * appliance's tail (AS transaction echoes) belongs to the phase, and the next phase must not start on its tail.
     */
    static void settle(Map<String, Integer> pids) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<String, Long> before = cpu(pids);
        while (System.nanoTime() < deadline) {
            long t = System.nanoTime();
            while (System.nanoTime() - t < 500_000_000L) {
                Thread.sleep(50); // sampling interval of the idle check, bounded by the deadline above
            }
            Map<String, Long> now = cpu(pids);
            long used = now.get("synapse") - before.get("synapse") + now.get("appliance") - before.get("appliance");
            if (used * 1000 / clkTck < 50) {
                return;
            }
            before = now;
        }
        System.out.println("  (the servers did not go idle within 20 s: someone else uses the sandbox?)");
    }

    /**
     * On a shared machine, waits (at most 60 s) until processes other than the sandbox's servers and this benchmark use
     * under a quarter of a core over one second, so that a phase does not start in the middle of someone's build. The
     * phase still reports the others' CPU seconds during its window.
     */
    static void awaitQuiet(Map<String, Integer> pids) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long[] m0 = machineTicks();
            Map<String, Long> c0 = cpu(pids);
            long t = System.nanoTime();
            while (System.nanoTime() - t < 1_000_000_000L) {
                Thread.sleep(100); // sampling interval of the quiet check, bounded by the deadline above
            }
            long[] m1 = machineTicks();
            Map<String, Long> c1 = cpu(pids);
            long ours = 0;
            for (String p : c0.keySet()) {
                ours += c1.get(p) - c0.get(p);
            }
            if ((m1[0] - m0[0] - ours) * 4 < clkTck) {
                return;
            }
        }
        System.out.println("  (other processes kept the machine busy for 60 s: measuring anyway)");
    }

    // ---------------------------------------------------------------- CPU accounting (/proc)

    static int pidOf(String service, String cmdlineMatch) throws Exception {
        Path f = root.resolve(".sandbox/run/pids/" + service + ".pid");
        if (Files.isRegularFile(f)) {
            String s = Files.readString(f).replaceAll("[^0-9]", "");
            if (!s.isEmpty() && cmdline(Integer.parseInt(s)).contains(cmdlineMatch)) {
                return Integer.parseInt(s);
            }
        }
        // fallback: by command line (a process of this sandbox: its run directory is on the command line)
        String runDir = root.resolve(".sandbox/run").toString();
        return ProcessHandle.allProcesses().filter(p -> {
            String c = cmdline((int) p.pid());
            return c.contains(cmdlineMatch) && c.contains(runDir);
        }).mapToInt(p -> (int) p.pid()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no running " + service + " of this sandbox"));
    }

    static String cmdline(int pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (Exception e) {
            return "";
        }
    }

    /** utime + stime of each process, in clock ticks (/proc/pid/stat fields 14 and 15). */
    static Map<String, Long> cpu(Map<String, Integer> pids) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : pids.entrySet()) {
            String stat = Files.readString(Path.of("/proc/" + e.getValue() + "/stat"));
            // the command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            out.put(e.getKey(), Long.parseLong(f[11]) + Long.parseLong(f[12])); // fields 14, 15 (field 3 = f[0])
        }
        return out;
    }

    /** {busy, total} clock ticks of the whole machine (/proc/stat). */
    static long[] machineTicks() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) { // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    static double ticksToMs(long ticks) {
        return ticks * 1000.0 / clkTck;
    }

    // ---------------------------------------------------------------- Synapse's access log

    static Path synapseLog() {
        return root.resolve(".sandbox/run/logs/synapse.log");
    }

    static final Pattern ACCESS = Pattern.compile("^(\\S+ \\S+) - synapse\\.access\\.http\\.\\d+ - .*? \\{([^}]*)\\} Processed request:"
        + " ([0-9.]+)sec/[-0-9.]+sec ru=\\(([0-9.]+)sec, ([0-9.]+)sec\\).*? (\\d{3})!? \"([A-Z]+) (\\S+) HTTP");
    static final Pattern AS_PUSH = Pattern.compile(" - synapse\\.http\\.client - .*Received response to PUT (http://[^/]+)/_matrix/app/v1/transactions/");
    static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    /** One requester+endpoint group of Synapse's access log. */
    static final class Group {
        int n;
        double wall;
        double cpu;
        final List<double[]> ends = new ArrayList<>(); // {end epoch ms, processing s}
    }

    /**
     * Prints what Synapse logged between two offsets of its log: requests grouped by requester (this run's users, the
     * appliance's ghosts and bot, others) and endpoint, with count, count per message, mean processing time and the
     * in-request CPU Synapse accounts to them (ru=); the AS transaction pushes; and, for the sequential senders, how
     * long each sender left Synapse idle between a response and its next PUT (the sender's own per-message time).
     */
    static void synapseLogReport(long from, long to, int messages) throws Exception {
        Map<String, Group> groups = new TreeMap<>();
        Map<String, Integer> pushes = new TreeMap<>();
        int federationSender = 0;
        byte[] buf;
        try (RandomAccessFile f = new RandomAccessFile(synapseLog().toFile(), "r")) {
            f.seek(from);
            buf = new byte[(int) Math.min(to - from, 256L << 20)];
            f.readFully(buf);
        }
        for (String line : new String(buf, StandardCharsets.UTF_8).split("\n")) {
            Matcher m = ACCESS.matcher(line);
            if (m.find()) {
                String who = requester(m.group(2));
                String endpoint = m.group(7) + " " + endpoint(m.group(8));
                Group g = groups.computeIfAbsent(who + " | " + endpoint, k -> new Group());
                g.n++;
                double wall = Double.parseDouble(m.group(3));
                g.wall += wall;
                g.cpu += Double.parseDouble(m.group(4)) + Double.parseDouble(m.group(5));
                if (m.group(7).equals("PUT") && endpoint.contains("/send/")) {
                    long end = LocalDateTime.parse(m.group(1), LOG_TIME).atZone(java.time.ZoneId.systemDefault())
                        .toInstant().toEpochMilli();
                    g.ends.add(new double[] {end, wall});
                }
                continue;
            }
            Matcher p = AS_PUSH.matcher(line);
            if (p.find()) {
                pushes.merge(p.group(1), 1, Integer::sum);
            } else if (line.contains(" - synapse.federation.sender - ")) {
                federationSender++;
            }
        }
        System.out.printf("  Synapse access log (requester | endpoint: count, per message, mean Synapse time, in-request CPU):%n");
        double inRequestCpu = 0;
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            inRequestCpu += g.cpu;
            String gap = "";
            if (g.ends.size() > 10) {
                // sequential sender: idle time between one PUT's end and the next one's start
                Collections.sort(g.ends, (x, y) -> Double.compare(x[0], y[0]));
                double idle = 0;
                for (int i = 1; i < g.ends.size(); i++) {
                    idle += Math.max(0, (g.ends.get(i)[0] - g.ends.get(i)[1] * 1000) - g.ends.get(i - 1)[0]);
                }
                gap = String.format(", sender's gap between PUTs %.1f ms", idle / (g.ends.size() - 1));
            }
            System.out.printf("    %-70s %5d  %5.2f/msg  %6.1f ms  CPU %5.2f s%s%n", e.getKey(), g.n, g.n / (double) messages,
                1000 * g.wall / g.n, g.cpu, gap);
        }
        System.out.printf("    in-request CPU total %.2f s (%.1f ms/msg); Synapse's CPU outside requests (event persistence,"
            + " notifier, AS pushes, ...) is the rest of its CPU above%n", inRequestCpu, 1000 * inRequestCpu / messages);
        for (Map.Entry<String, Integer> e : pushes.entrySet()) {
            System.out.printf("    AS transactions pushed to %s: %d (%.2f per message)%n", e.getKey(), e.getValue(),
                e.getValue() / (double) messages);
        }
        System.out.printf("    federation-sender log lines (Synapse's per-event federation queue, no federation here): %d%n",
            federationSender);
    }

    static String requester(String who) {
        if (who.contains("benchcarol_" + run)) {
            return "carol (receiver)";
        }
        if (who.contains("benchdave_" + run)) {
            return "dave (Matrix sender)";
        }
        if (who.startsWith("@_xmpp_") && who.contains("_" + run)) {
            return "appliance as ghost";
        }
        if (who.startsWith("@_xmpp_") || who.startsWith("@_sip_")) {
            return "appliance as other ghost";
        }
        if (who.startsWith("@bridgebot:")) {
            return "appliance as bot";
        }
        return "other (" + (who.equals("None") ? "unauthenticated" : "not this run") + ")";
    }

    /** The path with ids, transaction ids and query values replaced by placeholders. */
    static String endpoint(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        String[] seg = path.split("/");
        for (int i = 0; i < seg.length; i++) {
            String s = seg[i];
            if (i >= 2 && seg[i - 2].equals("send")) {
                seg[i] = "{txn}";
            } else if (s.startsWith("%21") || s.startsWith("%40") || s.startsWith("%23") || s.startsWith("%24")
                || s.startsWith("!") || s.startsWith("@") || s.startsWith("$") || s.startsWith("#")) {
                seg[i] = "{id}";
            }
        }
        StringBuilder keys = new StringBuilder();
        for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
            String k = kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv;
            if (!k.equals("access_token")) {
                keys.append(keys.length() == 0 ? "?" : "&").append(k);
            }
        }
        return String.join("/", seg) + keys;
    }

    // ---------------------------------------------------------------- the receiver's /sync loop

    static Thread startSync(String token, AtomicBoolean stop) throws Exception {
        String[] since = {sync(token, null, 0).path("next_batch").asText()};
        Thread syncer = new Thread(() -> {
            while (!stop.get()) {
                try {
                    JsonNode s = sync(token, since[0], 10_000);
                    long now = System.nanoTime();
                    syncs.incrementAndGet();
                    since[0] = s.path("next_batch").asText(since[0]);
                    for (Map.Entry<String, JsonNode> room : s.path("rooms").path("join").properties()) {
                        JsonNode timeline = room.getValue().path("timeline");
                        if (timeline.path("limited").asBoolean(false)) {
                            limitedTimelines.incrementAndGet();
                        }
                        List<String> order = timelines.computeIfAbsent(room.getKey(), k -> Collections.synchronizedList(new ArrayList<>()));
                        for (JsonNode e : timeline.path("events")) {
                            String body = e.path("content").path("body").asText(null);
                            if (body == null || !seenEvents.add(e.path("event_id").asText(""))) {
                                continue;
                            }
                            arrived.putIfAbsent(body, now);
                            copies.merge(body, 1, Integer::sum);
                            order.add(body);
                        }
                    }
                    LatencyBench.recordInvites(s, invites);
                } catch (Exception e) {
                    if (!stop.get()) {
                        System.err.println("sync failed: " + e);
                    }
                }
            }
        }, "bench-sync");
        syncer.setDaemon(true);
        syncer.start();
        return syncer;
    }

    // ---------------------------------------------------------------- Matrix (plain HTTP)

    static String[] registerMatrix(String localpart) throws Exception {
        String secret = env.get("MATRIX_REGISTRATION_SECRET");
        String nonce = call("GET", "/_synapse/admin/v1/register", null, null).path("nonce").asText();
        String password = "pw-" + localpart;
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        hmac.update((nonce + "\0" + localpart + "\0" + password + "\0notadmin").getBytes(StandardCharsets.UTF_8));
        ObjectNode body = JSON.createObjectNode().put("nonce", nonce).put("username", localpart).put("password", password)
            .put("admin", false).put("mac", HexFormat.of().formatHex(hmac.doFinal()));
        JsonNode r = call("POST", "/_synapse/admin/v1/register", null, body);
        return new String[] {r.path("user_id").asText(), r.path("access_token").asText()};
    }

    static final AtomicInteger TXN = new AtomicInteger();

    /**
     * Whether the Matrix user's messages carry an empty {@code m.mentions} (spec v1.7 intentional mentions), as the
     * bridge's and current clients' text messages do: Synapse validates it with jsonschema, about 1 ms of CPU per
     * event, so (a) and (b) compare like with like only with it. THROUGHPUT_A_MENTIONS=0 sends bare content.
     */
    static final boolean MENTIONS = !"0".equals(System.getProperty("bench.mentions", "1"));

    /** Only phase (a), Synapse's own ordered ceiling (-Dbench.ceiling.only=1; room-kinds.sh sets its rates from it). */
    static final boolean CEILING_ONLY = "1".equals(System.getProperty("bench.ceiling.only", "0"));

    static void send(String token, String roomId, String body) throws Exception {
        ObjectNode content = JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        if (MENTIONS) {
            content.putObject("m.mentions");
        }
        call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t" + System.nanoTime() + "-"
            + TXN.incrementAndGet(), token, content);
    }

    static JsonNode sync(String token, String since, int timeoutMs) throws Exception {
        String filter = "{\"room\":{\"timeline\":{\"limit\":1000}},\"presence\":{\"not_types\":[\"*\"]}}";
        return call("GET", "/_matrix/client/v3/sync?timeout=" + timeoutMs + "&filter=" + enc(filter)
            + (since == null ? "" : "&since=" + enc(since)), token, null);
    }

    static JsonNode call(String method, String path, String token, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.get("MATRIX_URL") + path))
            .timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path.replaceAll("\\?.*", "") + " -> HTTP " + r.statusCode()
                + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---------------------------------------------------------------- XMPP (Smack)

    static Message chat(XMPPTCPConnection c, EntityBareJid to, String body) {
        return c.getStanzaFactory().buildMessageStanza().to(to).ofType(Message.Type.chat).setBody(body).build();
    }

    static XMPPTCPConnection xmppRegister(String localpart, String password) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
            .setXmppDomain(env.get("XMPP_DOMAIN")).setHostAddress(InetAddress.getByName(env.get("XMPP_HOST")))
            .setPort(Integer.parseInt(env.get("XMPP_PORT"))).setSecurityMode(SecurityMode.disabled).build());
        c.connect();
        AccountManager am = AccountManager.getInstance(c);
        am.sensitiveOperationOverInsecureConnection(true); // loopback sandbox without TLS
        am.createAccount(Localpart.from(localpart), password);
        c.login(localpart, password, Resourcepart.from("bench"));
        return c;
    }

    // ---------------------------------------------------------------- helpers

    static <V> V awaitValue(Map<String, V> map, String key, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            V v = map.get(key);
            if (v != null) {
                return v;
            }
            Thread.sleep(20); // polling the sync thread's results against a deadline
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    static void awaitKeys(List<String> keys, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allArrived(keys)) {
            if (System.nanoTime() > deadline) {
                Set<String> missing = new HashSet<>(keys);
                missing.removeAll(arrived.keySet());
                throw new IllegalStateException("timed out waiting on Matrix for " + missing.size() + " message(s), e.g. "
                    + missing.iterator().next());
            }
            Thread.sleep(20); // polling the sync thread's results against a deadline
        }
    }

    static Map<String, String> readEnv(Path file) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            line = line.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq <= 0) {
                continue;
            }
            String v = line.substring(eq + 1);
            if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                v = v.substring(1, v.length() - 1);
            }
            out.put(line.substring(0, eq), v);
        }
        return out;
    }
}
