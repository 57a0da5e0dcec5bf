import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
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
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Side-by-side benchmark of the running sandbox (not a test): XMPP MUC → Matrix room through the appliance (a plumbed
 * room mapped through the admin API) and through Matterbridge 1.26.0 (a relay bot with its own XMPP and Matrix
 * accounts), alternating in one run, each phase with a Matrix-only baseline stream (Synapse's own send → /sync) at the
 * same rate. Compiled together with {@code ../LatencyBench.java}, whose Matrix, XMPP and percentile helpers it uses.
 *
 * <p>Modes (run by deploy/bench/matterbridge/matterbridge.sh and side-by-side.sh):
 * <ul>
 *   <li>{@code prepare DIR}: Matterbridge's XMPP account (in-band registration) and Matrix account (shared-secret
 *   registration), a persistent MUC and a Matrix room (created by a receiver, Matrix "carol", who invites the
 *   Matterbridge account), and {@code DIR/matterbridge.toml} (one gateway: that MUC ⇄ that room) plus
 *   {@code DIR/state.properties} (carol's token, the room ids), both mode 600.</li>
 *   <li>{@code measure DIR [count] [rate] [rounds]}: with Matterbridge running ({@code DIR/matterbridge.pid}), a
 *   fresh plumbed room of the appliance, then {@code rounds} rounds of both phases (order alternating), and a
 *   summary.</li>
 * </ul>
 */
public final class MatterbridgeBench {
    /** The bench key of a message body (Matterbridge prefixes its "[xmpp] &lt;nick&gt; "). */
    static final Pattern KEY = Pattern.compile("([a-z0-9]+) ([a-z0-9]+) (\\d+)$");
    static long clkTck;
    /** Messages through each bridge before the measured rounds (the appliance's JIT), at 10/s or the rate if higher. */
    static final int WARM_UP = 200;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("bench.repo.root", "."));
        clkTck = Long.parseLong(System.getProperty("bench.clk.tck", "100"));
        LatencyBench.env = LatencyBench.readEnv(root.resolve(".sandbox/env"));
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: prepare DIR | measure DIR [count] [rate] [rounds]");
        }
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "prepare" -> prepare(dir);
            case "measure" -> measure(root, dir, args.length > 2 ? Integer.parseInt(args[2]) : 500,
                args.length > 3 ? Double.parseDouble(args[3]) : 4.0, args.length > 4 ? Integer.parseInt(args[4]) : 2);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- prepare: Matterbridge's accounts, rooms, TOML

    static void prepare(Path dir) throws Exception {
        Map<String, String> env = LatencyBench.env;
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        String[] carol = LatencyBench.registerMatrix("mbcarol_" + run);
        String mbMatrix = "mbbot_" + run;
        LatencyBench.registerMatrix(mbMatrix); // password "pw-" + localpart (LatencyBench.registerMatrix)
        String mbXmpp = "mbbot_" + run;
        String mbXmppPassword = "pw_" + run;
        LatencyBench.xmppRegister(mbXmpp, mbXmppPassword).disconnect();

        // the MUC: created (persistent) by an owner who leaves again, so Matterbridge finds it unlocked
        XMPPTCPConnection owner = LatencyBench.xmppRegister("mbowner_" + run, "pw_" + run);
        EntityBareJid mucJid = JidCreate.entityBareFrom("mbbench_" + run + "@" + env.get("XMPP_MUC_DOMAIN"));
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(owner).getMultiUserChat(mucJid);
        if (muc.createOrJoin(Resourcepart.from("owner")) != null) {
            FillableForm form = muc.getConfigurationForm().getFillableForm();
            form.setAnswer("muc#roomconfig_persistentroom", true);
            muc.sendConfigurationForm(form);
        }
        muc.leave();
        owner.disconnect();

        // the Matrix room: carol's, Matterbridge's account invited (it joins by room id at start)
        String mbUser = "@" + mbMatrix + ":" + env.get("MATRIX_SERVER_NAME");
        ObjectNode create = LatencyBench.JSON.createObjectNode().put("preset", "private_chat").put("name", "matterbridge bench");
        create.putArray("invite").add(mbUser);
        String room = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", carol[1], create).path("room_id").asText();

        Files.createDirectories(dir);
        String toml = String.join("\n",
            "# written by deploy/bench/matterbridge (MatterbridgeBench prepare) for the running sandbox",
            "[general]",
            "MediaDownloadSize=0",
            "",
            "[xmpp.sandbox]",
            "Server=\"" + env.get("XMPP_HOST") + ":" + env.get("XMPP_PORT") + "\"",
            "Jid=\"" + mbXmpp + "@" + env.get("XMPP_DOMAIN") + "\"",
            "Password=\"" + mbXmppPassword + "\"",
            "Muc=\"" + env.get("XMPP_MUC_DOMAIN") + "\"",
            "Nick=\"matterbridge\"",
            "NoTLS=true",
            "RemoteNickFormat=\"[{PROTOCOL}] <{NICK}> \"",
            "",
            "[matrix.sandbox]",
            "Server=\"" + env.get("MATRIX_URL") + "\"",
            "Login=\"" + mbMatrix + "\"",
            "Password=\"pw-" + mbMatrix + "\"",
            "RemoteNickFormat=\"[{PROTOCOL}] <{NICK}> \"",
            "",
            "[[gateway]]",
            "name=\"bench\"",
            "enable=true",
            "",
            "[[gateway.inout]]",
            "account=\"xmpp.sandbox\"",
            "channel=\"" + mucJid.getLocalpart() + "\"",
            "",
            "[[gateway.inout]]",
            "account=\"matrix.sandbox\"",
            "channel=\"" + room + "\"",
            "");
        writePrivate(dir.resolve("matterbridge.toml"), toml);
        Properties state = new Properties();
        state.setProperty("run", run);
        state.setProperty("carol.user", carol[0]);
        state.setProperty("carol.token", carol[1]);
        state.setProperty("matterbridge.matrix.user", mbUser);
        state.setProperty("matterbridge.room", room);
        state.setProperty("matterbridge.muc", mucJid.toString());
        StringBuilder text = new StringBuilder();
        for (String k : new TreeSet<>(state.stringPropertyNames())) {
            text.append(k).append('=').append(state.getProperty(k)).append('\n');
        }
        writePrivate(dir.resolve("state.properties"), text.toString());
        System.out.println("prepared: MUC " + mucJid + " <-> Matrix room " + room + " (" + dir.resolve("matterbridge.toml") + ")");
    }

    static void writePrivate(Path file, String text) throws Exception {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- measure

    /**
     * What a receiver saw of the bench messages (bodies ending in "tag run n", whatever prefix a bridge adds): first
     * arrival (nanoTime) per key, the numbers in arrival order per tag, and the copies per key. Thread-safe.
     */
    static final class Arrivals {
        final Map<String, Long> arrived = new ConcurrentHashMap<>();
        final Map<String, List<Integer>> orderByTag = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> copies = new ConcurrentHashMap<>();

        /** Records one received message; false if its body is not a bench key. */
        boolean record(String body, long now) {
            Matcher m = KEY.matcher(body.strip());
            if (!m.find()) {
                return false;
            }
            String key = m.group(1) + " " + m.group(2) + " " + m.group(3);
            copies.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (arrived.putIfAbsent(key, now) == null) {
                orderByTag.computeIfAbsent(m.group(1), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(Integer.parseInt(m.group(3)));
            }
            return true;
        }

        /** How many of "tag run 0" .. "tag run count-1" arrived more than once. */
        int duplicated(String tag, String run, int count) {
            int duplicated = 0;
            for (int i = 0; i < count; i++) {
                AtomicInteger c = copies.get(tag + " " + run + " " + i);
                if (c != null && c.get() > 1) {
                    duplicated++;
                }
            }
            return duplicated;
        }

        /** How many of a tag's messages arrived after one with a higher number. */
        int outOfOrder(String tag) {
            int outOfOrder = 0;
            int max = -1;
            List<Integer> order = orderByTag.getOrDefault(tag, List.of());
            synchronized (order) {
                for (int n : order) {
                    if (n < max) {
                        outOfOrder++;
                    }
                    max = Math.max(max, n);
                }
            }
            return outOfOrder;
        }

        /** Sorted latencies (ms) of "tag run n" sent at {@code sent[n]} (nanoTime). */
        double[] latencies(String tag, String run, long[] sent) {
            return LatencyBench.latencies(arrived, tag + " " + run + " ", sent);
        }
    }

    /** What the Matrix receiver's /sync loop saw. */
    static final Arrivals matrix = new Arrivals();
    static final Set<String> seenEvents = ConcurrentHashMap.newKeySet();
    /** Inviter -> room id of the invites the Matrix receiver got. */
    static final Map<String, String> invites = new ConcurrentHashMap<>();

    record Bridge(String name, String tagPrefix, MultiUserChat muc, int pid) {
    }

    record Result(String bridge, int round, String load, int received, int count, int duplicated, int outOfOrder,
                  double[] bridged, double[] baseline, double cpuMsPerMessage, double idleCpuMsPerSecond,
                  double phaseSeconds, long peakRssKb, long hwmKb, double jitMsPerMessage) {
        double addedP50() {
            return LatencyBench.pct(bridged, 50) - LatencyBench.pct(baseline, 50);
        }

        double addedP99() {
            return LatencyBench.pct(bridged, 99) - LatencyBench.pct(baseline, 99);
        }

        /** CPU per message minus what the process uses when idle (its periodic work) over the phase's length. */
        double netCpuMsPerMessage() {
            return cpuMsPerMessage - idleCpuMsPerSecond * phaseSeconds / count;
        }
    }

    static void measure(Path root, Path dir, int count, double rate, int rounds) throws Exception {
        Map<String, String> env = LatencyBench.env;
        Properties state = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("state.properties"))) {
            state.load(in);
        }
        int mbPid = Integer.parseInt(Files.readString(dir.resolve("matterbridge.pid")).strip());
        int appliancePid = Integer.parseInt(Files.readString(root.resolve(".sandbox/run/pids/appliance.pid")).strip());
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        String carolToken = state.getProperty("carol.token");
        String carolUser = state.getProperty("carol.user");

        AtomicBoolean stop = new AtomicBoolean();
        startSync(carolToken, stop);

        // Matterbridge has joined its Matrix room (it joins at start; the script waited for its log line)
        String mbRoom = state.getProperty("matterbridge.room");
        awaitJoined(carolToken, mbRoom, state.getProperty("matterbridge.matrix.user"));

        // the appliance's plumbed room: carol's Matrix room with the bridge bot, a MUC, the mapping (admin API)
        ObjectNode create = LatencyBench.JSON.createObjectNode().put("preset", "private_chat").put("name", "appliance bench");
        create.putArray("invite").add(env.get("MATRIX_BOT_USER"));
        String aRoom = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", carolToken, create).path("room_id").asText();
        awaitJoined(carolToken, aRoom, env.get("MATRIX_BOT_USER"));
        XMPPTCPConnection alice = LatencyBench.xmppRegister("mbalice_" + run, "pw_" + run);
        MultiUserChatManager mucs = MultiUserChatManager.getInstanceFor(alice);
        MultiUserChat aMuc = mucs.getMultiUserChat(JidCreate.entityBareFrom("applbench_" + run + "@" + env.get("XMPP_MUC_DOMAIN")));
        if (aMuc.createOrJoin(Resourcepart.from("alice")) != null) {
            aMuc.sendConfigurationForm(aMuc.getConfigurationForm().getFillableForm());
        }
        String mappingId = createMapping("matterbridge side-by-side", aRoom, aMuc.getRoom().toString());
        MultiUserChat mbMuc = mucs.getMultiUserChat(JidCreate.entityBareFrom(state.getProperty("matterbridge.muc")));
        mbMuc.join(Resourcepart.from("alice"));
        try {
            awaitTrue("the appliance occupying " + aMuc.getRoom(), () -> aMuc.getOccupantsCount() >= 2, Duration.ofSeconds(60));
            awaitTrue("Matterbridge occupying " + mbMuc.getRoom(), () -> mbMuc.getOccupantsCount() >= 2, Duration.ofSeconds(60));

            // the Matrix-only baseline room: dave -> carol
            String[] dave = LatencyBench.registerMatrix("mbdave_" + run);
            ObjectNode dm = LatencyBench.JSON.createObjectNode().put("preset", "private_chat");
            dm.putArray("invite").add(carolUser);
            String baseRoom = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", dave[1], dm).path("room_id").asText();
            LatencyBench.call("POST", "/_matrix/client/v3/join/" + LatencyBench.enc(baseRoom), carolToken,
                LatencyBench.JSON.createObjectNode());

            Bridge appliance = new Bridge("appliance", "a", aMuc, appliancePid);
            Bridge matterbridge = new Bridge("matterbridge", "m", mbMuc, mbPid);
            // first message through each (the appliance may still be joining the Matrix side), then warm-up
            for (Bridge b : List.of(appliance, matterbridge)) {
                String key = b.tagPrefix() + "hello " + run + " 0";
                b.muc().sendMessage(key);
                LatencyBench.awaitKey(matrix.arrived, key, Duration.ofSeconds(60));
            }
            System.err.println("warm-up: " + WARM_UP + " messages through each bridge and the baseline, not measured");
            for (Bridge b : List.of(appliance, matterbridge)) {
                phase(b, "w" + b.tagPrefix(), 0, run, WARM_UP, Math.max(rate, 10), dave[1], baseRoom);
            }

            // idle CPU of each bridge over 10 s (their periodic work), subtracted in the "net" figure
            Map<String, Double> idle = new LinkedHashMap<>();
            for (Bridge b : List.of(appliance, matterbridge)) {
                long c0 = cpuTicks(b.pid());
                long t0 = System.nanoTime();
                Thread.sleep(10_000); // a measurement window, not synchronisation
                idle.put(b.name(), ticksToMs(cpuTicks(b.pid()) - c0) / ((System.nanoTime() - t0) / 1e9));
            }

            List<Result> results = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                List<Bridge> order = r % 2 == 1 ? List.of(appliance, matterbridge) : List.of(matterbridge, appliance);
                for (Bridge b : order) {
                    Result res = phase(b, b.tagPrefix() + r, r, run, count, rate, dave[1], baseRoom);
                    res = new Result(res.bridge(), res.round(), res.load(), res.received(), res.count(), res.duplicated(),
                        res.outOfOrder(), res.bridged(), res.baseline(), res.cpuMsPerMessage(), idle.get(b.name()),
                        res.phaseSeconds(), res.peakRssKb(), res.hwmKb(), res.jitMsPerMessage());
                    results.add(res);
                    print(res);
                }
            }
            summary(results, count, rate, rounds, idle);
            stop.set(true);
            boolean complete = results.stream().allMatch(x -> x.received() == x.count() && x.duplicated() == 0
                && x.baseline().length == x.count());
            if (!complete) {
                System.out.println("INCOMPLETE: messages were lost or duplicated (see the rows above)");
                System.exit(1);
            }
        } finally {
            try {
                admin("DELETE", "/api/v1/rooms/" + mappingId, null);
            } catch (Exception e) {
                System.err.println("could not delete the bench mapping " + mappingId + ": " + e);
            }
            alice.disconnect();
        }
    }

    /** One phase: {@code count} MUC messages at {@code rate} through one bridge, the baseline half a period later. */
    static Result phase(Bridge b, String tag, int round, String run, int count, double rate, String daveToken,
                        String baseRoom) throws Exception {
        String baseTag = "b" + tag;
        String load0 = loadAverage();
        long cpu0 = cpuTicks(b.pid());
        Map<String, Long> jit0 = jitTicks(b.pid());
        AtomicLong peakRss = new AtomicLong(rssKb(b.pid(), "VmRSS:"));
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    peakRss.accumulateAndGet(rssKb(b.pid(), "VmRSS:"), Math::max);
                    Thread.sleep(100); // the sampling period of the RSS reading
                } catch (Exception e) {
                    return;
                }
            }
        }, "bench-rss");
        sampler.setDaemon(true);
        sampler.start();

        long[] sentX = new long[count];
        long[] sentM = new long[count];
        long t0 = System.nanoTime();
        int errors = LatencyBench.sendSteady(count, rate, n -> {
            var m = b.muc().buildMessage().setBody(tag + " " + run + " " + n).build();
            sentX[n] = System.nanoTime();
            b.muc().sendMessage(m);
        }, n -> {
            sentM[n] = System.nanoTime();
            LatencyBench.send(daveToken, baseRoom, baseTag + " " + run + " " + n);
        });
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(tag + " " + run + " " + i);
            keys.add(baseTag + " " + run + " " + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !matrix.arrived.keySet().containsAll(keys)) {
            Thread.sleep(50); // polling the sync thread's results against a deadline
        }
        // the bridge's tail: CPU it still spends after the last delivery (acknowledgements, echoes), up to 2 s
        Thread.sleep(2000); // a fixed measurement window after the last arrival, not synchronisation
        long cpu1 = cpuTicks(b.pid());
        Map<String, Long> jit1 = jitTicks(b.pid());
        long jit = 0;
        for (Map.Entry<String, Long> t : jit1.entrySet()) {
            jit += t.getValue() - jit0.getOrDefault(t.getKey(), 0L);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sampling.set(false);
        String load1 = loadAverage();
        if (errors > 0) {
            System.err.println(b.name() + " round " + round + ": " + errors + " send errors");
        }
        int duplicated = matrix.duplicated(tag, run, count);
        int outOfOrder = matrix.outOfOrder(tag);
        double[] bridged = matrix.latencies(tag, run, sentX);
        double[] baseline = matrix.latencies(baseTag, run, sentM);
        return new Result(b.name(), round, load0 + " → " + load1, bridged.length, count, duplicated, outOfOrder, bridged,
            baseline, ticksToMs(cpu1 - cpu0) / count, 0, seconds, peakRss.get(), rssKb(b.pid(), "VmHWM:"),
            ticksToMs(jit) / count);
    }

    static void print(Result r) {
        System.out.printf("%s round %d (load %s): received %d/%d, %d duplicated, %d out of order; bridged p50 %.1f / p99 %.1f ms,"
                + " baseline p50 %.1f / p99 %.1f ms, added p50 %+.1f / p99 %+.1f ms; CPU %.2f ms/msg (net of idle %.2f,"
                + " of it JIT compiler threads %.2f), RSS peak %d MB (VmHWM %d MB)%n", r.bridge(), r.round(), r.load(), r.received(), r.count(), r.duplicated(),
            r.outOfOrder(), LatencyBench.pct(r.bridged(), 50), LatencyBench.pct(r.bridged(), 99), LatencyBench.pct(r.baseline(), 50),
            LatencyBench.pct(r.baseline(), 99), r.addedP50(), r.addedP99(), r.cpuMsPerMessage(), r.netCpuMsPerMessage(),
            r.jitMsPerMessage(), r.peakRssKb() / 1024, r.hwmKb() / 1024);
    }

    static void summary(List<Result> results, int count, double rate, int rounds, Map<String, Double> idle) {
        System.out.printf("%nside by side: XMPP MUC -> Matrix room, %d messages at %.1f/s per phase, %d round(s), "
            + "a Matrix-only baseline at the same rate in every phase%n", count, rate, rounds);
        System.out.println("idle CPU: " + idle.entrySet().stream().map(e -> String.format("%s %.2f ms/s", e.getKey(), e.getValue()))
            .reduce((x, y) -> x + ", " + y).orElse(""));
        System.out.println("| bridge | round | load avg (start → end) | received | dup / out of order | added p50 / p99 (ms) "
            + "| baseline p50 / p99 (ms) | CPU ms/msg (net of idle) | of it JIT ms/msg | peak RSS (MB) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf("| %s | %d | %s | %d/%d | %d / %d | %+.1f / %+.1f | %.1f / %.1f | %.2f (%.2f) | %.2f | %d |%n",
                r.bridge(), r.round(), r.load(), r.received(), r.count(), r.duplicated(), r.outOfOrder(), r.addedP50(),
                r.addedP99(), LatencyBench.pct(r.baseline(), 50), LatencyBench.pct(r.baseline(), 99), r.cpuMsPerMessage(),
                r.netCpuMsPerMessage(), r.jitMsPerMessage(), r.peakRssKb() / 1024);
        }
    }

    // ---------------------------------------------------------------- the receiver's /sync loop

    /** The receiver's /sync loop: arrival time, order and copies of every bench key (bridged and baseline), invites. */
    static void startSync(String token, AtomicBoolean stop) throws Exception {
        LatencyBench.startSyncLoop(token, stop, (s, now) -> {
            for (JsonNode e : LatencyBench.timelineEvents(s)) {
                String body = e.path("content").path("body").asText(null);
                if (body == null || !seenEvents.add(e.path("event_id").asText())) {
                    continue;
                }
                matrix.record(body, now);
            }
            LatencyBench.recordInvites(s, invites);
        });
    }

    /** What a keyed /sync loop does with each new event whose body ends in a bench key. */
    interface KeyHandler {
        void onKey(Matcher key, long arrivedNanos);
    }

    /**
     * A /sync loop (LatencyBench.startSyncLoop) handing every new timeline event (by event id, {@code seen}) whose body
     * matches {@code key} to {@code handler}; used by ../ScaleTrafficBench.java, whose keys carry a room number.
     */
    static void startKeyedSync(String token, AtomicBoolean stop, Pattern key, Set<String> seen, KeyHandler handler)
            throws Exception {
        LatencyBench.startSyncLoop(token, stop, (s, now) -> {
            for (JsonNode e : LatencyBench.timelineEvents(s)) {
                String body = e.path("content").path("body").asText(null);
                if (body == null || !seen.add(e.path("event_id").asText())) {
                    continue;
                }
                Matcher m = key.matcher(body.strip());
                if (m.find()) {
                    handler.onKey(m, now);
                }
            }
        });
    }

    static void awaitJoined(String token, String roomId, String user) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!LatencyBench.call("GET", "/_matrix/client/v3/rooms/" + LatencyBench.enc(roomId) + "/joined_members", token, null)
                .path("joined").has(user)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + user + " to join " + roomId);
            }
            Thread.sleep(200); // polling the homeserver against a deadline
        }
    }

    static void awaitTrue(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50); // polling a condition against a deadline
        }
    }

    // ---------------------------------------------------------------- the appliance's admin API

    static String createMapping(String name, String matrixRoom, String muc) throws Exception {
        ObjectNode body = LatencyBench.JSON.createObjectNode().put("name", name).put("enabled", true);
        body.putArray("portals")
            .add(LatencyBench.JSON.createObjectNode().put("network", "matrix").put("room", matrixRoom))
            .add(LatencyBench.JSON.createObjectNode().put("network", "xmpp").put("room", muc));
        return admin("POST", "/api/v1/rooms", body.toString()).path("id").asText();
    }

    static JsonNode admin(String method, String path, String json) throws Exception {
        Map<String, String> env = LatencyBench.env;
        String auth = java.util.Base64.getEncoder().encodeToString((env.get("ADMIN_USER") + ":" + env.get("ADMIN_PASSWORD"))
            .getBytes(StandardCharsets.UTF_8));
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(env.get("ADMIN_URL") + path))
            .timeout(Duration.ofSeconds(20)).header("Authorization", "Basic " + auth)
            .header("Content-Type", "application/json") // the admin API's rule for every mutating call
            .method(method, json == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(json));
        var r = LatencyBench.HTTP.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("admin API " + method + " " + path + " -> HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? LatencyBench.JSON.createObjectNode() : LatencyBench.JSON.readTree(r.body());
    }

    // ---------------------------------------------------------------- /proc

    static long cpuTicks(int pid) throws Exception {
        return statTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** utime + stime of a /proc stat line (fields 14 and 15 of proc(5); the command may contain spaces). */
    static long statTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * CPU ticks per JIT compiler thread of a JVM (HotSpot's "C1/C2 CompilerThre…" threads, by thread id; none for
     * Matterbridge). A compiler thread that ends within a phase takes its ticks with it: an undercount, never more.
     */
    static Map<String, Long> jitTicks(int pid) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.contains("CompilerThre")) {
                        out.put(task.getFileName().toString(), statTicks(stat));
                    }
                } catch (java.io.IOException gone) {
                    // the thread ended while the list was read
                }
            }
        }
        return out;
    }

    static long rssKb(int pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).strip().split("\\s+")[0]);
            }
        }
        return 0;
    }

    static double ticksToMs(long ticks) {
        return ticks * 1000.0 / clkTck;
    }

    static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
