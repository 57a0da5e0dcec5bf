import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Latency per room kind and direction through the running sandbox appliance (not a test): a 1:1 chat, a plumbed MUC (an
 * XMPP MUC mapped to a Matrix room through the admin API) and a gateway room (an XMPP user in
 * {@code #alias%server@matrix.<domain>}), each XMPP → Matrix and Matrix → XMPP, one stream after the other, each with
 * the servers' own send → receive time measured concurrently at the same rate; then the gateway backlog check (one
 * gateway room, XMPP → Matrix, at a higher rate, no baseline). Compiled with LatencyBench.java (Matrix/XMPP/percentile
 * helpers, the steady sender), ThroughputBench.java (/proc CPU accounting, idle waits) and
 * matterbridge/MatterbridgeBench.java (the receivers' bookkeeping of arrivals, order and copies; the admin API);
 * run by deploy/bench/room-kinds.sh.
 *
 * <p>Baselines. XMPP → Matrix: a Matrix-only user's send → the receiver's /sync (Synapse alone), half a period after
 * each bridged message. Matrix → XMPP: per message number n, that same Matrix-only time plus an XMPP-only 1:1 message
 * (another XMPP user → the receiving XMPP user, Prosody alone) sent at the same moment: the sum is what the two
 * servers take on their own for the two hops a bridged message makes, without the bridge between them.
 *
 * <p>Arguments: count per stream, rate per second, warm-up messages per stream, backlog count, backlog rate.
 */
public final class RoomKindsBench {
    /** What the XMPP receiver (alice) saw: Matrix → XMPP bridged messages and the XMPP-only baseline. */
    static final MatterbridgeBench.Arrivals XMPP_SIDE = new MatterbridgeBench.Arrivals();
    static final MatterbridgeBench.Arrivals MATRIX_SIDE = MatterbridgeBench.matrix;

    /** Sends one message body. */
    interface BodySend {
        void send(String body) throws Exception;
    }

    /** One room kind: {@code fromXmpp} sends a body from alice into it; {@code matrixRoom} is its Matrix side. */
    record Kind(String name, String tag, BodySend fromXmpp, String matrixRoom) {
    }

    record Result(String kind, String direction, int count, int received, int duplicated, int outOfOrder, int errors,
                  double[] bridged, double[] baseline, double cpuMsPerMessage, double netCpuMsPerMessage,
                  double synapseCpuMsPerMessage, long rssMb, String load) {
    }

    static String run;
    static String carolToken;
    static String daveToken;
    static String baseRoom;
    static XMPPTCPConnection bob;
    static EntityBareJid aliceJid;
    static Map<String, Integer> pids;
    static double idleMsPerSecond;

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: RoomKindsBench count rate warm-up backlog-count backlog-rate");
            System.exit(2);
        }
        int count = Integer.parseInt(args[0]);
        double rate = Double.parseDouble(args[1]);
        int warm = Integer.parseInt(args[2]);
        int backlogCount = Integer.parseInt(args[3]);
        double backlogRate = Double.parseDouble(args[4]);
        Path root = Path.of(System.getProperty("bench.repo.root", "."));
        ThroughputBench.root = root;
        ThroughputBench.clkTck = Long.getLong("bench.clk.tck", 100L);
        MatterbridgeBench.clkTck = ThroughputBench.clkTck;
        Map<String, String> env = LatencyBench.readEnv(root.resolve(".sandbox/env"));
        LatencyBench.env = env;
        ThroughputBench.env = env;
        pids = new LinkedHashMap<>();
        pids.put("synapse", ThroughputBench.pidOf("synapse", "synapse.app.homeserver"));
        pids.put("appliance", ThroughputBench.pidOf("appliance", "bridge-appliance"));
        pids.put("prosody", ThroughputBench.pidOf("prosody", "prosody"));
        run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

        // --- accounts: carol (Matrix receiver and sender), dave (Matrix-only baseline), alice (XMPP, every kind),
        // bob (XMPP-only baseline sender)
        String carolLocal = "rkcarol_" + run;
        String[] carol = LatencyBench.registerMatrix(carolLocal);
        carolToken = carol[1];
        String[] dave = LatencyBench.registerMatrix("rkdave_" + run);
        daveToken = dave[1];
        String aliceLocal = "rkalice_" + run;
        XMPPTCPConnection alice = LatencyBench.xmppRegister(aliceLocal, "pw_" + run);
        aliceJid = alice.getUser().asEntityBareJid();
        bob = LatencyBench.xmppRegister("rkbob_" + run, "pw_" + run);
        alice.addSyncStanzaListener(s -> {
            long now = System.nanoTime();
            String body = ((Message) s).getBody();
            if (body != null) {
                XMPP_SIDE.record(body, now);
            }
        }, StanzaTypeFilter.MESSAGE);
        AtomicBoolean stop = new AtomicBoolean();
        MatterbridgeBench.startSync(carolToken, stop);

        // --- the Matrix-only baseline room: dave -> carol
        ObjectNode dm = LatencyBench.JSON.createObjectNode().put("preset", "private_chat");
        dm.putArray("invite").add(carol[0]);
        baseRoom = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", daveToken, dm).path("room_id").asText();
        LatencyBench.call("POST", "/_matrix/client/v3/join/" + LatencyBench.enc(baseRoom), carolToken,
            LatencyBench.JSON.createObjectNode());

        // --- 1:1 chat: alice writes to carol's puppet, carol accepts the ghost's invite
        EntityBareJid puppet = LatencyBench.puppetOf(carolLocal);
        BodySend dmSend = body -> alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(puppet)
            .ofType(Message.Type.chat).setBody(body).build());
        dmSend.send(key("dhello", 0));
        String dmRoom = LatencyBench.awaitValue(MatterbridgeBench.invites, LatencyBench.ghostOf(aliceLocal),
            Duration.ofSeconds(60), "the DM invite from alice's ghost");
        LatencyBench.call("POST", "/_matrix/client/v3/join/" + LatencyBench.enc(dmRoom), carolToken,
            LatencyBench.JSON.createObjectNode());
        LatencyBench.awaitKey(MATRIX_SIDE.arrived, key("dhello", 0), Duration.ofSeconds(60));

        // --- plumbed MUC: carol's Matrix room with the bridge bot, alice's MUC, the mapping through the admin API
        ObjectNode create = LatencyBench.JSON.createObjectNode().put("preset", "private_chat").put("name", "room kinds bench");
        create.putArray("invite").add(env.get("MATRIX_BOT_USER"));
        String plumbedRoom = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", carolToken, create).path("room_id").asText();
        MatterbridgeBench.awaitJoined(carolToken, plumbedRoom, env.get("MATRIX_BOT_USER"));
        MultiUserChatManager mucs = MultiUserChatManager.getInstanceFor(alice);
        MultiUserChat plumbed = mucs.getMultiUserChat(JidCreate.entityBareFrom("rkmuc_" + run + "@" + env.get("XMPP_MUC_DOMAIN")));
        if (plumbed.createOrJoin(Resourcepart.from("alice")) != null) {
            plumbed.sendConfigurationForm(plumbed.getConfigurationForm().getFillableForm());
        }
        String mappingId = MatterbridgeBench.createMapping("room kinds bench", plumbedRoom, plumbed.getRoom().toString());

        // --- gateway room: carol's public room with an alias, alice joins #alias%server@<matrix component>
        String alias = "rkgw_" + run;
        ObjectNode pub = LatencyBench.JSON.createObjectNode().put("preset", "public_chat").put("room_alias_name", alias)
            .put("name", "room kinds gateway");
        String gatewayRoom = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", carolToken, pub).path("room_id").asText();
        MultiUserChat gateway = mucs.getMultiUserChat(JidCreate.entityBareFrom("#" + alias + "%" + env.get("MATRIX_SERVER_NAME")
            + "@" + env.get("BRIDGE_XMPP_MATRIX_DOMAIN")));
        gateway.join(Resourcepart.from("alice-gw"));

        int exit = 0;
        try {
            MatterbridgeBench.awaitTrue("the appliance occupying " + plumbed.getRoom(), () -> plumbed.getOccupantsCount() >= 2,
                Duration.ofSeconds(60));
            List<Kind> kinds = List.of(
                new Kind("1:1 chat", "d", dmSend, dmRoom),
                new Kind("plumbed MUC", "p", plumbed::sendMessage, plumbedRoom),
                new Kind("gateway room", "g", gateway::sendMessage, gatewayRoom));

            // the appliance's idle CPU (its periodic work), subtracted in the net figure
            ThroughputBench.settle(pids);
            long c0 = MatterbridgeBench.cpuTicks(pids.get("appliance"));
            long t0 = System.nanoTime();
            Thread.sleep(10_000); // a measurement window, not synchronisation
            idleMsPerSecond = MatterbridgeBench.ticksToMs(MatterbridgeBench.cpuTicks(pids.get("appliance")) - c0)
                / ((System.nanoTime() - t0) / 1e9);

            List<Result> results = new ArrayList<>();
            for (Kind k : kinds) {
                for (boolean toMatrix : new boolean[] {true, false}) {
                    String tag = k.tag() + (toMatrix ? "xm" : "mx");
                    LatencyBench.Send bridged = toMatrix ? n -> k.fromXmpp().send(key(currentTag, n))
                        : n -> LatencyBench.send(carolToken, k.matrixRoom(), key(currentTag, n));
                    // warm-up through exactly this path, not measured
                    stream(k.name(), toMatrix, "w" + tag, bridged, warm, Math.max(rate, 10), true, false);
                    Result r = stream(k.name(), toMatrix, tag, bridged, count, rate, true, true);
                    print(r);
                    results.add(r);
                }
            }
            Result backlog = backlogCount > 0 ? stream("gateway room", true, "gbl", n -> gateway.sendMessage(key("gbl", n)),
                backlogCount, backlogRate, false, true) : null;

            System.out.printf("%nroom kinds: %d messages per stream at %.1f/s after %d warm-up messages per stream (at %.0f/s),"
                + " run %s; appliance idle CPU %.2f ms/s (subtracted in 'net')%n", count, rate, warm, Math.max(rate, 10), run,
                idleMsPerSecond);
            System.out.println("| room kind | direction | received | lost / dup / reordered | bridged p50 / p90 / p99 / max (ms) "
                + "| servers alone p50 / p90 / p99 / max (ms) | added p50 / p90 / p99 / max (ms) | appliance CPU ms/msg (net) "
                + "| Synapse CPU ms/msg | RSS MB | load avg |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            for (Result r : results) {
                System.out.printf("| %s | %s | %d/%d | %d / %d / %d | %s | %s | %s | %.2f (%.2f) | %.1f | %d | %s |%n", r.kind(),
                    r.direction(), r.received(), r.count(), r.count() - r.received(), r.duplicated(), r.outOfOrder(),
                    pcts(r.bridged(), null), pcts(r.baseline(), null), pcts(r.bridged(), r.baseline()), r.cpuMsPerMessage(),
                    r.netCpuMsPerMessage(), r.synapseCpuMsPerMessage(), r.rssMb(), r.load());
                if (r.received() != r.count() || r.duplicated() > 0 || r.errors() > 0) {
                    exit = 1;
                }
            }
            if (backlog != null) {
                double[] b = backlog.bridged();
                int window = Math.min(100, Math.max(1, backlogCount / 5));
                double first = median(backlogOrdered, 0, window);
                double last = median(backlogOrdered, backlogCount - window, backlogCount);
                boolean built = last > first + 250 || backlog.received() < backlog.count();
                System.out.printf("%ngateway backlog: one gateway room, XMPP -> Matrix, %d messages at %.1f/s (no baseline"
                        + " stream: it would double Synapse's load); received %d/%d, lost %d, duplicated %d, reordered %d, send"
                        + " errors %d; p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms; median latency of the first %d %.1f ms, of the"
                        + " last %d %.1f ms: %s; issue 14's goal (p99 under 1 s, nothing lost, duplicated or reordered) %s;"
                        + " appliance CPU %.2f ms/msg (net %.2f), Synapse %.1f ms/msg; load %s%n",
                    backlogCount, backlogRate, backlog.received(), backlog.count(), backlog.count() - backlog.received(),
                    backlog.duplicated(), backlog.outOfOrder(), backlog.errors(), LatencyBench.pct(b, 50),
                    LatencyBench.pct(b, 90), LatencyBench.pct(b, 99), max(b), window, first, window, last,
                    built ? "A BACKLOG BUILT" : "no backlog", LatencyBench.pct(b, 99) < 1000 && backlog.received() == backlogCount
                        && backlog.duplicated() == 0 && backlog.outOfOrder() == 0 ? "met" : "NOT met", backlog.cpuMsPerMessage(), backlog.netCpuMsPerMessage(),
                    backlog.synapseCpuMsPerMessage(), backlog.load());
                if (backlog.received() != backlog.count() || backlog.duplicated() > 0) {
                    exit = 1;
                }
            }
        } finally {
            stop.set(true);
            try {
                MatterbridgeBench.admin("DELETE", "/api/v1/rooms/" + mappingId, null);
            } catch (Exception e) {
                System.err.println("could not delete the bench mapping " + mappingId + ": " + e);
            }
            alice.disconnect();
            bob.disconnect();
        }
        System.exit(exit);
    }

    /** The tag of the stream being sent (the kinds' send functions take their body's tag from here). */
    static volatile String currentTag;
    /** The backlog stream's latencies in send order (for the first/last comparison). */
    static double[] backlogOrdered = new double[0];

    static String key(String tag, int n) {
        return tag + " " + run + " " + n;
    }

    /**
     * One stream: {@code count} bridged messages at {@code rate}, with the servers' own stream(s) half a period later
     * when {@code baseline}; waits for every message (or a deadline), then for the servers to go idle; CPU from /proc.
     */
    static Result stream(String kind, boolean toMatrix, String tag, LatencyBench.Send bridged, int count, double rate,
                         boolean baseline, boolean measured) throws Exception {
        currentTag = tag;
        String mTag = "m" + tag;
        String xTag = "x" + tag;
        long[] sentB = new long[count];
        long[] sentM = new long[count];
        long[] sentX = new long[count];
        if (measured) {
            ThroughputBench.settle(pids);
        }
        String load0 = ThroughputBench.loadAverage();
        Map<String, Long> cpu0 = ThroughputBench.cpu(pids);
        long t0 = System.nanoTime();
        System.err.printf("%s %s: %s %d messages at %.1f/s%n", kind, toMatrix ? "XMPP -> Matrix" : "Matrix -> XMPP",
            measured ? "measuring" : "warming up with", count, rate);
        int errors = LatencyBench.sendSteady(count, rate, n -> {
            sentB[n] = System.nanoTime();
            bridged.send(n);
        }, n -> {
            if (!baseline) {
                return;
            }
            if (!toMatrix) {
                Message m = bob.getStanzaFactory().buildMessageStanza().to(aliceJid).ofType(Message.Type.chat)
                    .setBody(key(xTag, n)).build();
                sentX[n] = System.nanoTime();
                bob.sendStanza(m);
            }
            sentM[n] = System.nanoTime();
            LatencyBench.send(daveToken, baseRoom, key(mTag, n));
        });
        MatterbridgeBench.Arrivals side = toMatrix ? MATRIX_SIDE : XMPP_SIDE;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !(all(side, tag, count) && (!baseline || all(MATRIX_SIDE, mTag, count)
                && (toMatrix || all(XMPP_SIDE, xTag, count))))) {
            Thread.sleep(50); // polling the receivers' results against a deadline
        }
        if (!measured) {
            if (!all(side, tag, count)) {
                throw new IllegalStateException(kind + " " + tag + ": the warm-up did not get through within 60 s");
            }
            return null;
        }
        ThroughputBench.settle(pids); // the appliance's tail (acknowledgements, echoes) belongs to the stream
        Map<String, Long> cpu1 = ThroughputBench.cpu(pids);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] bridgedMs = side.latencies(tag, run, sentB);
        if (tag.equals("gbl")) {
            backlogOrdered = new double[count];
            for (int i = 0; i < count; i++) {
                Long at = side.arrived.get(key(tag, i));
                backlogOrdered[i] = at == null ? Double.NaN : (at - sentB[i]) / 1e6;
            }
        }
        double[] baselineMs = new double[0];
        if (baseline && toMatrix) {
            baselineMs = MATRIX_SIDE.latencies(mTag, run, sentM);
        } else if (baseline) {
            List<Double> sum = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Long m = MATRIX_SIDE.arrived.get(key(mTag, i));
                Long x = XMPP_SIDE.arrived.get(key(xTag, i));
                if (m != null && x != null) {
                    sum.add((m - sentM[i]) / 1e6 + (x - sentX[i]) / 1e6);
                }
            }
            baselineMs = sum.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        double cpu = ThroughputBench.ticksToMs(cpu1.get("appliance") - cpu0.get("appliance")) / count;
        return new Result(kind, toMatrix ? "XMPP → Matrix" : "Matrix → XMPP", count, bridgedMs.length,
            side.duplicated(tag, run, count), side.outOfOrder(tag), errors, bridgedMs, baselineMs, cpu,
            cpu - idleMsPerSecond * seconds / count,
            ThroughputBench.ticksToMs(cpu1.get("synapse") - cpu0.get("synapse")) / count,
            MatterbridgeBench.rssKb(pids.get("appliance"), "VmRSS:") / 1024, load0 + " → " + ThroughputBench.loadAverage());
    }

    static boolean all(MatterbridgeBench.Arrivals a, String tag, int count) {
        for (int i = count - 1; i >= 0; i--) { // the last ones are the likeliest missing
            if (!a.arrived.containsKey(key(tag, i))) {
                return false;
            }
        }
        return true;
    }

    static void print(Result r) {
        System.out.printf("%s %s: received %d/%d, %d duplicated, %d reordered, %d send errors; bridged %s ms, servers alone"
                + " %s ms, added %s ms; appliance CPU %.2f ms/msg (net of idle %.2f), Synapse %.1f ms/msg; RSS %d MB; load %s%n",
            r.kind(), r.direction(), r.received(), r.count(), r.duplicated(), r.outOfOrder(), r.errors(), pcts(r.bridged(), null),
            pcts(r.baseline(), null), pcts(r.bridged(), r.baseline()), r.cpuMsPerMessage(), r.netCpuMsPerMessage(),
            r.synapseCpuMsPerMessage(), r.rssMb(), r.load());
    }

    /** "p50 / p90 / p99 / max" of a, or of a minus b per percentile when b is given. */
    static String pcts(double[] a, double[] b) {
        StringBuilder out = new StringBuilder();
        for (double p : new double[] {50, 90, 99, 100}) {
            double v = p == 100 ? max(a) : LatencyBench.pct(a, p);
            if (b != null) {
                v -= p == 100 ? max(b) : LatencyBench.pct(b, p);
            }
            out.append(out.length() == 0 ? "" : " / ").append(String.format(b != null ? "%+.1f" : "%.1f", v));
        }
        return out.toString();
    }

    static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    static double median(double[] values, int from, int to) {
        double[] v = Arrays.stream(values, Math.max(0, from), Math.min(values.length, to)).filter(x -> !Double.isNaN(x))
            .sorted().toArray();
        return LatencyBench.pct(v, 50);
    }
}
