import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Steady traffic over many real plumbed rooms of the running sandbox appliance (not a test), meant for an appliance
 * whose database the scale benchmark filled (deploy/bench/scale-traffic.sh does both): creates {@code rooms} Matrix
 * rooms (a receiver, Matrix "carol", with the bridge bot invited) and as many MUCs (one XMPP user, "alice", in all of
 * them), maps each pair through the admin API, waits until the appliance occupies every MUC and its bot has joined
 * every Matrix room, then sends {@code count} MUC messages at {@code rate} per second round-robin over the rooms
 * (XMPP → Matrix), each with a Matrix-only baseline message half a period later (as latency.sh does). Reports per
 * run: received / lost / duplicated / out of order per room, send → carol's /sync p50 / p99 of both streams and the
 * difference; the appliance's CPU per message, peak and final RSS, thread count; then, after {@code jcmd GC.run},
 * the heap live after a full collection ({@code GC.heap_info}) and, when the appliance runs with
 * {@code -XX:NativeMemoryTracking=summary}, its native memory by category.
 *
 * <p>Compiled together with {@code LatencyBench.java} (Matrix, XMPP, steady sender, /sync loop, percentiles) and
 * {@code matterbridge/MatterbridgeBench.java} (admin API, waits, /proc readers):
 * {@code ScaleTrafficBench [rooms=100] [count=600] [rate=3]}.
 */
public final class ScaleTrafficBench {
    static final Pattern KEY = Pattern.compile("r(\\d+) ([a-z0-9]+) (\\d+)$");
    static final Map<String, Long> arrived = new ConcurrentHashMap<>();
    static final Map<Integer, List<Integer>> orderByRoom = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> copies = new ConcurrentHashMap<>();
    static final Set<String> seenEvents = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("bench.repo.root", "."));
        MatterbridgeBench.clkTck = Long.parseLong(System.getProperty("bench.clk.tck", "100"));
        LatencyBench.env = LatencyBench.readEnv(root.resolve(".sandbox/env"));
        int rooms = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 3.0;
        int pid = Integer.parseInt(Files.readString(root.resolve(".sandbox/run/pids/appliance.pid")).strip());
        System.exit(run(pid, rooms, count, rate) ? 0 : 1);
    }

    static boolean run(int pid, int rooms, int count, double rate) throws Exception {
        Map<String, String> env = LatencyBench.env;
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        String[] carol = LatencyBench.registerMatrix("sccarol_" + run);
        String[] dave = LatencyBench.registerMatrix("scdave_" + run);
        XMPPTCPConnection alice = LatencyBench.xmppRegister("scalice_" + run, "pw_" + run);
        MultiUserChatManager mucManager = MultiUserChatManager.getInstanceFor(alice);

        // the rooms: carol's Matrix room with the bot invited, alice's MUC, the mapping
        long setup0 = System.nanoTime();
        List<MultiUserChat> mucs = new ArrayList<>();
        List<String> matrixRooms = new ArrayList<>();
        for (int i = 0; i < rooms; i++) {
            ObjectNode create = LatencyBench.JSON.createObjectNode().put("preset", "private_chat").put("name", "scale " + i);
            create.putArray("invite").add(env.get("MATRIX_BOT_USER"));
            String room = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", carol[1], create).path("room_id").asText();
            MultiUserChat muc = mucManager.getMultiUserChat(
                JidCreate.entityBareFrom("scale_" + run + "_" + i + "@" + env.get("XMPP_MUC_DOMAIN")));
            if (muc.createOrJoin(Resourcepart.from("alice")) != null) {
                muc.sendConfigurationForm(muc.getConfigurationForm().getFillableForm());
            }
            ObjectNode body = LatencyBench.JSON.createObjectNode().put("name", "scale traffic " + i).put("enabled", true);
            body.putArray("portals")
                .add(LatencyBench.JSON.createObjectNode().put("network", "matrix").put("room", room))
                .add(LatencyBench.JSON.createObjectNode().put("network", "xmpp").put("room", muc.getRoom().toString()));
            MatterbridgeBench.admin("POST", "/api/v1/rooms", body.toString());
            mucs.add(muc);
            matrixRooms.add(room);
            if ((i + 1) % 20 == 0) {
                System.err.printf("created and mapped %d/%d rooms (%.0f s)%n", i + 1, rooms, (System.nanoTime() - setup0) / 1e9);
            }
        }
        for (int i = 0; i < rooms; i++) {
            MultiUserChat muc = mucs.get(i);
            MatterbridgeBench.awaitTrue("the appliance occupying " + muc.getRoom(), () -> muc.getOccupantsCount() >= 2,
                Duration.ofSeconds(180));
            MatterbridgeBench.awaitJoined(carol[1], matrixRooms.get(i), env.get("MATRIX_BOT_USER"));
        }
        System.out.printf("set-up: %d rooms created, mapped and joined by the appliance in %.0f s; %s%n", rooms,
            (System.nanoTime() - setup0) / 1e9, load());

        AtomicBoolean stop = new AtomicBoolean();
        startSync(carol[1], stop);
        ObjectNode dm = LatencyBench.JSON.createObjectNode().put("preset", "private_chat");
        dm.putArray("invite").add(carol[0]);
        String baseRoom = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", dave[1], dm).path("room_id").asText();
        LatencyBench.call("POST", "/_matrix/client/v3/join/" + LatencyBench.enc(baseRoom), carol[1],
            LatencyBench.JSON.createObjectNode());

        // warm-up: one message into every room (each room's first bridged message), not measured
        for (int i = 0; i < rooms; i++) {
            mucs.get(i).sendMessage("r" + i + " w" + run + " " + i);
        }
        for (int i = 0; i < rooms; i++) {
            LatencyBench.awaitKey(arrived, "r" + i + " w" + run + " " + i, Duration.ofSeconds(180));
        }
        System.out.printf("warm-up: one message through each of the %d rooms arrived; %s%n", rooms, load());

        // measured: count messages round-robin over the rooms, the baseline half a period after each
        String tag = "m" + run;
        long[] sent = new long[count];
        long[] baseSent = new long[count];
        AtomicLong peakRssKb = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    peakRssKb.accumulateAndGet(MatterbridgeBench.rssKb(pid, "VmRSS:"), Math::max);
                    Thread.sleep(250); // a sampling period, not synchronisation
                } catch (Exception e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        String load0 = load();
        long cpu0 = MatterbridgeBench.cpuTicks(pid);
        long t0 = System.nanoTime();
        int errors = LatencyBench.sendSteady(count, rate, n -> {
            sent[n] = System.nanoTime();
            mucs.get(n % rooms).sendMessage("r" + (n % rooms) + " " + tag + " " + n);
        }, n -> {
            baseSent[n] = System.nanoTime();
            LatencyBench.send(dave[1], baseRoom, "r0 b" + run + " " + n);
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (received(tag, rooms, count) < count
                || LatencyBench.countArrived(arrived, "r0 b" + run + " ", count) < count)) {
            Thread.sleep(100); // waiting for the last arrivals against a deadline
        }
        Thread.sleep(2000); // the appliance's tail (its echo transactions) inside the CPU window
        long cpu1 = MatterbridgeBench.cpuTicks(pid);
        double seconds = (System.nanoTime() - t0) / 1e9;
        sampling.set(false);
        stop.set(true);

        // results
        List<Double> bridged = new ArrayList<>();
        int got = 0;
        int dups = 0;
        for (int n = 0; n < count; n++) {
            String key = "r" + (n % rooms) + " " + tag + " " + n;
            Long at = arrived.get(key);
            if (at != null) {
                got++;
                bridged.add((at - sent[n]) / 1e6);
            }
            AtomicInteger c = copies.get(key);
            if (c != null && c.get() > 1) {
                dups++;
            }
        }
        int outOfOrder = 0;
        for (Map.Entry<Integer, List<Integer>> e : orderByRoom.entrySet()) {
            List<Integer> seq = e.getValue();
            synchronized (seq) {
                for (int i = 1; i < seq.size(); i++) {
                    if (seq.get(i) < seq.get(i - 1)) {
                        outOfOrder++;
                    }
                }
            }
        }
        double[] b = bridged.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] base = LatencyBench.latencies(arrived, "r0 b" + run + " ", baseSent);
        System.out.printf("steady traffic: %d messages at %.1f/s round-robin over %d rooms (XMPP MUC -> Matrix), %s at the"
            + " start, %s at the end; send errors %d%n", count, rate, rooms, load0, load(), errors);
        System.out.printf("  received %d/%d, lost %d, duplicated %d, out of order %d%n", got, count, count - got, dups, outOfOrder);
        LatencyBench.report("bridged (XMPP -> Matrix /sync)", b, count);
        LatencyBench.report("Synapse only (Matrix -> /sync)", base, count);
        System.out.printf("  added latency: median %.1f ms, p99 %.1f ms%n",
            LatencyBench.pct(b, 50) - LatencyBench.pct(base, 50), LatencyBench.pct(b, 99) - LatencyBench.pct(base, 99));
        System.out.printf("  appliance CPU: %.2f ms per message (%.1f s over %.0f s); peak RSS %d MB; RSS at the end %d MB;"
            + " threads %d%n", MatterbridgeBench.ticksToMs(cpu1 - cpu0) / count, MatterbridgeBench.ticksToMs(cpu1 - cpu0) / 1000,
            seconds, peakRssKb.get() >> 10, MatterbridgeBench.rssKb(pid, "VmRSS:") >> 10, MatterbridgeBench.rssKb(pid, "Threads:"));
        System.out.println(afterFullGc(pid));
        alice.disconnect();
        return got == count && dups == 0 && outOfOrder == 0;
    }

    static int received(String tag, int rooms, int count) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (arrived.containsKey("r" + (i % rooms) + " " + tag + " " + i)) {
                n++;
            }
        }
        return n;
    }

    static void startSync(String token, AtomicBoolean stop) throws Exception {
        MatterbridgeBench.startKeyedSync(token, stop, KEY, seenEvents, (m, now) -> {
            String key = "r" + m.group(1) + " " + m.group(2) + " " + m.group(3);
            copies.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (arrived.putIfAbsent(key, now) == null && m.group(2).startsWith("m")) {
                orderByRoom.computeIfAbsent(Integer.parseInt(m.group(1)),
                    k -> Collections.synchronizedList(new ArrayList<>())).add(Integer.parseInt(m.group(3)));
            }
        });
    }

    /** After {@code jcmd GC.run}: heap used (GC.heap_info), RSS, and NMT's committed memory by category if enabled. */
    static String afterFullGc(int pid) throws Exception {
        jcmd(pid, "GC.run");
        StringBuilder out = new StringBuilder();
        long usedKb = 0;
        long committedKb = 0;
        Matcher m = Pattern.compile("(?m)^ *(?:def new generation|tenured generation) +total (\\d+)K, used (\\d+)K")
            .matcher(jcmd(pid, "GC.heap_info"));
        while (m.find()) {
            committedKb += Long.parseLong(m.group(1));
            usedKb += Long.parseLong(m.group(2));
        }
        out.append(String.format("  after jcmd GC.run: heap live %d MB (committed %d MB), RSS %d MB", usedKb >> 10,
            committedKb >> 10, MatterbridgeBench.rssKb(pid, "VmRSS:") >> 10));
        String nmt = jcmd(pid, "VM.native_memory summary");
        Matcher c = Pattern.compile("(?m)^(?:Total:|-\\s+(.+?) \\()\\s*reserved=\\d+KB, committed=(\\d+)KB").matcher(nmt);
        if (c.find()) {
            c.reset();
            out.append("\n  NMT committed:");
            while (c.find()) {
                long kb = Long.parseLong(c.group(2));
                if (kb >= 1024) {
                    out.append(String.format(" %s %d MB;", c.group(1) == null ? "total" : c.group(1).strip(), kb >> 10));
                }
            }
        }
        return out.toString();
    }

    static String jcmd(int pid, String command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Integer.toString(pid)));
        cmd.addAll(List.of(command.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return text;
    }

    static String load() throws Exception {
        return "load " + MatterbridgeBench.loadAverage();
    }
}
