import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * SIP benchmark of the running sandbox appliance (not a test): sipp sends pager-mode MESSAGEs at a fixed rate from
 * one phone (a member of the room) through Kamailio to a SIP room URI that the admin API mapped together with a
 * Matrix room and an XMPP MUC; a Matrix user's long-polling /sync and an XMPP occupant (Smack) time every arrival.
 *
 * <p>Send times are sipp's own (its {@code -trace_msg} log, wall clock of this machine), arrival times this JVM's
 * wall clock, so latency is "sipp sent the MESSAGE" to "the receiver's client got it". Per run it prints how many
 * MESSAGEs sipp got 202 for, how many arrived on each network (duplicates and order checked), p50/p90/p99/max,
 * and the appliance's CPU time (utime+stime from /proc) per message, which the machine's load disturbs far less
 * than wall-clock figures. Loss-free = every MESSAGE answered 202 and seen exactly once, in order, on both sides.
 *
 * <p>Run with deploy/bench/sip-bench.sh; arguments: [count=500] [rate per second...=5] (one run per rate).
 */
public final class SipBench {
    static final ObjectMapper JSON = LatencyBench.JSON;
    static final HttpClient HTTP = LatencyBench.HTTP;
    static final Pattern TRACE_TIME = Pattern.compile("^-{10,} (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+)$");
    static Map<String, String> env;
    static Path root;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        List<Double> rates = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            rates.add(Double.parseDouble(args[i]));
        }
        if (rates.isEmpty()) {
            rates.add(5.0);
        }
        root = Path.of(System.getProperty("bench.repo.root", "."));
        env = LatencyBench.readEnv(root.resolve(".sandbox/env"));
        LatencyBench.env = env; // the shared helpers (Matrix/XMPP calls) read the same sandbox facts
        if (!"running".equals(env.get("APPLIANCE_STATE"))) {
            throw new IllegalStateException("the sandbox's appliance does not run: deploy/sandbox.sh up");
        }
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

        // --- receivers: a Matrix user (room creator) and an XMPP user in a MUC
        String[] carol = LatencyBench.registerMatrix("sipbenchcarol_" + run);
        String bot = env.get("MATRIX_BOT_USER");
        ObjectNode create = JSON.createObjectNode().put("preset", "private_chat").put("name", "SIP bench " + run);
        create.putArray("invite").add(bot);
        String roomId = LatencyBench.call("POST", "/_matrix/client/v3/createRoom", carol[1], create).path("room_id").asText();
        awaitTrue(Duration.ofSeconds(60), "the bridge bot joining", () -> LatencyBench.call("GET", "/_matrix/client/v3/rooms/"
            + LatencyBench.enc(roomId) + "/joined_members", carol[1], null).path("joined").has(bot));
        XMPPTCPConnection alice = LatencyBench.xmppRegister("sipbenchalice_" + run, "pw_" + run);
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(
            JidCreate.entityBareFrom("sipbench_" + run + "@" + env.get("XMPP_MUC_DOMAIN")));
        if (muc.createOrJoin(Resourcepart.from("alice")) != null) {
            FillableForm form = muc.getConfigurationForm().getFillableForm();
            form.setAnswer("muc#roomconfig_whois", "anyone");
            muc.sendConfigurationForm(form);
        }
        String slug = "sipbench-" + run;
        String domain = env.get("BRIDGE_SIP_DOMAIN");
        String mapping = "{\"name\":\"SIP bench\",\"enabled\":true,\"portals\":[{\"network\":\"matrix\",\"room\":\""
            + roomId + "\"},{\"network\":\"xmpp\",\"room\":\"" + muc.getRoom() + "\"},{\"network\":\"sip\",\"room\":"
            + "\"sip:" + slug + "@rooms." + domain + "\"}]}";
        HttpResponse<String> created = admin("POST", "/api/v1/rooms", mapping);
        if (created.statusCode() != 201) {
            throw new IllegalStateException("admin API: " + created.statusCode() + " " + created.body());
        }
        awaitTrue(Duration.ofSeconds(60), "the bridge joining the MUC", () -> muc.getOccupantsCount() >= 2);

        // arrival times by body, and arrival order, per network
        Map<String, Long> matrixAt = new ConcurrentHashMap<>();
        List<String> matrixOrder = new CopyOnWriteArrayList<>();
        Map<String, Long> xmppAt = new ConcurrentHashMap<>();
        List<String> xmppOrder = new CopyOnWriteArrayList<>();
        muc.addMessageListener(m -> {
            String body = m.getBody() == null ? "" : m.getBody().strip(); // sipp's body ends with CRLF
            if (body.startsWith("sb ")) {
                long now = System.currentTimeMillis();
                xmppOrder.add(body);
                xmppAt.putIfAbsent(body, now);
            }
        });
        String[] since = {LatencyBench.call("GET", "/_matrix/client/v3/sync?timeout=0", carol[1], null).path("next_batch").asText()};
        Thread syncer = new Thread(() -> {
            while (true) {
                try {
                    String filter = "{\"room\":{\"timeline\":{\"limit\":1000}},\"presence\":{\"not_types\":[\"*\"]}}";
                    JsonNode s = LatencyBench.call("GET", "/_matrix/client/v3/sync?timeout=10000&filter=" + LatencyBench.enc(filter) + "&since="
                        + LatencyBench.enc(since[0]), carol[1], null);
                    long now = System.currentTimeMillis();
                    for (JsonNode e : s.path("rooms").path("join").path(roomId).path("timeline").path("events")) {
                        String body = e.path("content").path("body").asText("").strip();
                        if (body.startsWith("sb ")) {
                            matrixOrder.add(body);
                            matrixAt.putIfAbsent(body, now);
                        }
                    }
                    since[0] = s.path("next_batch").asText(since[0]);
                } catch (Exception e) {
                    System.err.println("sync failed: " + e);
                }
            }
        }, "sip-bench-sync");
        syncer.setDaemon(true);
        syncer.start();

        // the phone joins the room, then a warm-up (not measured)
        String phone = "sipbench" + run;
        Path work = Files.createDirectories(root.resolve(".sandbox/run/bench/sip-" + run));
        sipp(work.resolve("join"), phone, slug, "#join", 1, 1, false);
        String warm = "sb " + run + "w";
        sipp(work.resolve("warm"), phone, slug, warm, 20, 5, false);
        awaitTrue(Duration.ofSeconds(120), "the warm-up on Matrix", () -> matrixAt.containsKey(warm + " 20"));

        System.out.printf("SIP benchmark run %s: %d MESSAGEs per rate, phone -> Kamailio -> appliance -> Matrix room"
            + " + XMPP MUC (%s)%n", run, count, muc.getRoom());
        for (double rate : rates) {
            String prefix = "sb " + run + "r" + (int) (rate * 10);
            long cpuBefore = applianceCpuTicks();
            long started = System.currentTimeMillis();
            SippResult sent = sipp(work.resolve("r" + (int) (rate * 10)), phone, slug, prefix, count, rate, true);
            long deadline = System.currentTimeMillis() + 180_000;
            while (System.currentTimeMillis() < deadline && !(arrived(matrixAt, prefix, count) == count
                && arrived(xmppAt, prefix, count) == count)) {
                Thread.sleep(100); // polling the receivers' results against a deadline
            }
            long cpuTicks = applianceCpuTicks() - cpuBefore;
            double[] toMatrix = latencies(matrixAt, prefix, sent.sentAt());
            double[] toXmpp = latencies(xmppAt, prefix, sent.sentAt());
            Check m = check(matrixOrder, prefix, count);
            Check x = check(xmppOrder, prefix, count);
            boolean lossFree = sent.exit() == 0 && m.ok() && x.ok();
            System.out.printf("%n rate %.1f/s: sipp exit %d (%d sent, %d answered 2xx), all arrived (or gave up) after"
                + " %.1f s; %s%n", rate,
                sent.exit(), sent.sentAt().size(), sent.answered(), (System.currentTimeMillis() - started) / 1e3,
                lossFree ? "LOSS-FREE" : "NOT loss-free");
            System.out.printf("  Matrix /sync: %s; latency p50 %.0f / p90 %.0f / p99 %.0f / max %.0f ms%n", m,
                LatencyBench.pct(toMatrix, 50), LatencyBench.pct(toMatrix, 90), LatencyBench.pct(toMatrix, 99), max(toMatrix));
            System.out.printf("  XMPP MUC:     %s; latency p50 %.0f / p90 %.0f / p99 %.0f / max %.0f ms%n", x,
                LatencyBench.pct(toXmpp, 50), LatencyBench.pct(toXmpp, 90), LatencyBench.pct(toXmpp, 99), max(toXmpp));
            System.out.printf("  appliance CPU: %.2f s for %d messages = %.2f ms CPU per message (fan-out to both)%n",
                cpuTicks / 100.0, count, cpuTicks * 10.0 / count);
        }
        admin("DELETE", "/api/v1/rooms/" + JSON.readTree(created.body()).path("id").asText(), null);
        alice.disconnect();
        System.exit(0);
    }

    record SippResult(int exit, Map<Integer, Long> sentAt, int answered) {
    }

    record Check(int received, int unique, int duplicates, boolean inOrder, int expected) {
        boolean ok() {
            return unique == expected && duplicates == 0 && inOrder;
        }

        @Override
        public String toString() {
            return unique + "/" + expected + " received, " + duplicates + " duplicates, " + (inOrder ? "in order"
                : "OUT OF ORDER");
        }
    }

    /** Runs sipp with deploy/bench/sip_message.xml; {@code timed}: parse the send time of every call. */
    static SippResult sipp(Path dir, String from, String slug, String prefix, int calls, double rate, boolean timed)
        throws Exception {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", root.resolve("deploy/bench/sip_message.xml").toString(),
            "-i", "127.0.0.1", "-m", Integer.toString(calls), "-r", Double.toString(rate), "-rp", "1000",
            "-nostdin", "-timeout", (int) (calls / rate + 120) + "s", "-timeout_error",
            "-key", "from", from, "-key", "from_domain", env.get("SIP_DOMAIN"), "-key", "to", slug,
            "-key", "domain", "rooms." + env.get("BRIDGE_SIP_DOMAIN"), "-key", "prefix", prefix,
            "-trace_msg", "-message_file", dir.resolve("messages.txt").toString(),
            "-trace_err", "-error_file", dir.resolve("errors.txt").toString(), env.get("SIP_PROXY")));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("sipp.out").toFile()).start();
        int exit = p.waitFor();
        Map<Integer, Long> sentAt = new HashMap<>();
        int answered = 0;
        if (timed) {
            DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
            long at = 0;
            boolean sending = false;
            Pattern body = Pattern.compile("^" + Pattern.quote(prefix) + " (\\d+)$");
            for (String line : Files.readAllLines(dir.resolve("messages.txt"), StandardCharsets.UTF_8)) {
                Matcher t = TRACE_TIME.matcher(line);
                if (t.matches()) {
                    String ts = t.group(1);
                    ts = ts.length() > 26 ? ts.substring(0, 26) : (ts + "000000").substring(0, 26);
                    at = LocalDateTime.parse(ts, f).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                    continue;
                }
                if (line.contains("message sent")) {
                    sending = true;
                } else if (line.contains("message received")) {
                    sending = false;
                } else if (!sending && line.startsWith("SIP/2.0 2")) {
                    answered++;
                }
                Matcher b = body.matcher(line);
                if (sending && b.matches()) {
                    sentAt.putIfAbsent(Integer.parseInt(b.group(1)), at); // the first send, not a retransmission
                }
            }
        }
        return new SippResult(exit, sentAt, answered);
    }

    static int arrived(Map<String, Long> at, String prefix, int count) {
        int n = 0;
        for (int i = 1; i <= count; i++) {
            if (at.containsKey(prefix + " " + i)) {
                n++;
            }
        }
        return n;
    }

    static Check check(List<String> order, String prefix, int count) {
        List<Integer> seen = new ArrayList<>();
        for (String body : order) {
            if (body.startsWith(prefix + " ")) {
                seen.add(Integer.parseInt(body.substring(prefix.length() + 1)));
            }
        }
        long unique = seen.stream().distinct().count();
        boolean inOrder = true;
        for (int i = 1; i < seen.size(); i++) {
            inOrder &= seen.get(i) > seen.get(i - 1);
        }
        return new Check(seen.size(), (int) unique, seen.size() - (int) unique, inOrder, count);
    }

    static double[] latencies(Map<String, Long> arrived, String prefix, Map<Integer, Long> sent) {
        List<Double> out = new ArrayList<>();
        sent.forEach((n, at) -> {
            Long got = arrived.get(prefix + " " + n);
            if (got != null) {
                out.add((double) (got - at));
            }
        });
        double[] a = out.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    /** utime + stime of the sandbox's appliance, in clock ticks (100 per second on Linux). */
    static long applianceCpuTicks() throws Exception {
        String pid = Files.readString(root.resolve(".sandbox/run/pids/appliance.pid")).trim();
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
    }

    interface Check0 {
        boolean test() throws Exception;
    }

    static void awaitTrue(Duration timeout, String what, Check0 condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100); // polling a condition against a deadline
        }
    }

    // ---------------------------------------------------------------- HTTP (admin API); Matrix and XMPP: LatencyBench's

    static HttpResponse<String> admin(String method, String path, String json) throws Exception {
        String auth = Base64.getEncoder().encodeToString((env.get("ADMIN_USER") + ":" + env.get("ADMIN_PASSWORD"))
            .getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.get("ADMIN_URL") + path))
            .timeout(Duration.ofSeconds(20)).header("Authorization", "Basic " + auth).header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

}
