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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Latency benchmark of the running sandbox appliance (not a test): the time from an XMPP user's send to a Matrix
 * user's /sync seeing the bridged message, next to Synapse's own send-to-sync time for a Matrix-only message in the
 * same run (the bridge's added latency is the difference).
 *
 * <p>Setup: fresh accounts (XMPP alice by in-band registration; Matrix carol = receiver, dave = Matrix-only sender by
 * shared-secret registration), a 1:1 chat alice -> carol's puppet (carol accepts the ghost's DM invite), and a
 * Matrix-only room dave + carol. Then N messages each way at a steady rate (XMPP and Matrix sends interleaved, half a
 * period apart); carol's single long-polling /sync loop timestamps every arrival. Times are System.nanoTime() in this
 * one JVM, so there is no clock skew. Run with deploy/bench/latency.sh; arguments: [count=1000] [rate per second=20] [rooms=1]: with
 * rooms &gt; 1 the XMPP messages are spread round-robin over that many XMPP users, each with its own 1:1 chat (the bridge
 * delivers each room in order, one Matrix send at a time, so one room's throughput is bounded by Synapse's send time).
 */
public final class LatencyBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Map<String, String> env;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 20.0;
        int rooms = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path root = Path.of(System.getProperty("bench.repo.root", "."));
        env = readEnv(root.resolve(".sandbox/env"));
        if (!"running".equals(env.get("APPLIANCE_STATE"))) {
            throw new IllegalStateException("the sandbox's appliance does not run: deploy/sandbox.sh up");
        }
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

        // --- accounts
        String[] carol = registerMatrix("benchcarol_" + run);
        String[] dave = registerMatrix("benchdave_" + run);
        XMPPTCPConnection[] senders = new XMPPTCPConnection[rooms];
        String[] ghosts = new String[rooms];
        for (int k = 0; k < rooms; k++) {
            String local = "benchalice" + k + "_" + run;
            senders[k] = xmppRegister(local, "pw_" + run);
            ghosts[k] = LatencyBench.ghostOf(local);
        }
        EntityBareJid puppet = LatencyBench.puppetOf("benchcarol_" + run);

        // --- the receiver's sync loop: arrival time per body
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        Map<String, String> invites = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        startSyncLoop(carol[1], stop, (s, now) -> {
            for (JsonNode e : timelineEvents(s)) {
                String body = e.path("content").path("body").asText(null);
                if (body != null) {
                    arrived.putIfAbsent(body, now);
                }
            }
            recordInvites(s, invites);
        });

        // --- the 1:1 chats through the bridge (one per XMPP sender)
        for (int k = 0; k < rooms; k++) {
            String hello = "bench hello " + run + " " + k;
            senders[k].sendStanza(senders[k].getStanzaFactory().buildMessageStanza().to(puppet).ofType(Message.Type.chat)
                .setBody(hello).build());
            String dm = awaitValue(invites, ghosts[k], Duration.ofSeconds(60), "the DM invite from " + ghosts[k]);
            call("POST", "/_matrix/client/v3/join/" + enc(dm), carol[1], JSON.createObjectNode());
            awaitKey(arrived, hello, Duration.ofSeconds(60));
        }
        // --- the Matrix-only room
        ObjectNode create = JSON.createObjectNode().put("preset", "private_chat");
        create.putArray("invite").add(carol[0]);
        String mRoom = call("POST", "/_matrix/client/v3/createRoom", dave[1], create).path("room_id").asText();
        awaitValue(invites, dave[0], Duration.ofSeconds(30), "dave's invite");
        call("POST", "/_matrix/client/v3/join/" + enc(mRoom), carol[1], JSON.createObjectNode());
        String mHello = "bench matrix hello " + run;
        send(dave[1], mRoom, mHello);
        awaitKey(arrived, mHello, Duration.ofSeconds(30));

        // --- warm-up (JIT, connection pools): 50 of each, not measured
        for (int i = 0; i < 50; i++) {
            XMPPTCPConnection c = senders[i % rooms];
            c.sendStanza(c.getStanzaFactory().buildMessageStanza().to(puppet).ofType(Message.Type.chat)
                .setBody("warm x " + run + " " + i).build());
            send(dave[1], mRoom, "warm m " + run + " " + i);
        }
        awaitKey(arrived, "warm x " + run + " 49", Duration.ofSeconds(60));
        awaitKey(arrived, "warm m " + run + " 49", Duration.ofSeconds(60));

        // --- measured run
        long[] sentX = new long[count];
        long[] sentM = new long[count];
        int errors = sendSteady(count, rate, n -> {
            XMPPTCPConnection c = senders[n % rooms];
            Message m = c.getStanzaFactory().buildMessageStanza().to(puppet).ofType(Message.Type.chat)
                .setBody("bx " + run + " " + n).build();
            sentX[n] = System.nanoTime();
            c.sendStanza(m);
        }, n -> {
            sentM[n] = System.nanoTime();
            send(dave[1], mRoom, "bm " + run + " " + n);
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !(arrived.containsKey("bx " + run + " " + (count - 1))
                && arrived.containsKey("bm " + run + " " + (count - 1)))) {
            Thread.sleep(100); // polling the sync thread's results against a deadline
        }
        // let stragglers (out-of-order arrivals) come in
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < settle && countArrived(arrived, "bx " + run + " ", count) + countArrived(arrived, "bm " + run + " ", count) < 2 * count) {
            Thread.sleep(100);
        }
        stop.set(true);
        for (XMPPTCPConnection c : senders) {
            c.disconnect();
        }

        double[] bridge = latencies(arrived, "bx " + run + " ", sentX);
        double[] matrix = latencies(arrived, "bm " + run + " ", sentM);
        System.out.printf("latency benchmark: %d messages each way at %.1f/s (XMPP and Matrix-only interleaved), "
            + "XMPP messages spread over %d 1:1 chat(s) (%.1f/s per bridged room), run %s%n", count, rate, rooms,
            rate / rooms, run);
        System.out.printf("  send errors: %d%n", errors);
        report("XMPP send -> Matrix /sync (through the bridge)", bridge, count);
        report("Matrix send -> Matrix /sync (Synapse only)     ", matrix, count);
        if (bridge.length > 0 && matrix.length > 0) {
            System.out.printf("  bridge's added latency: median %.1f ms, p99 %.1f ms%n",
                pct(bridge, 50) - pct(matrix, 50), pct(bridge, 99) - pct(matrix, 99));
        }
        System.exit(bridge.length == count && matrix.length == count && errors == 0 ? 0 : 1);
    }

    /** One send of a steady stream: message number {@code n}; it takes its own send timestamp. */
    interface Send {
        void send(int n) throws Exception;
    }

    /**
     * Sends {@code count} bridged messages at {@code rate} per second, each with a Matrix-only one half a period later
     * (interleaved, both loading the same Synapse); the Matrix sends run on a pool so that a slow PUT does not delay the
     * schedule. Returns when all were sent (or after 3× the planned time plus a minute) with the number of failed sends.
     */
    static int sendSteady(int count, double rate, Send bridged, Send matrixOnly) throws InterruptedException {
        long periodNanos = (long) (1e9 / rate);
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        ExecutorService matrixSenders = Executors.newFixedThreadPool(4);
        CountDownLatch allSent = new CountDownLatch(2 * count);
        AtomicInteger errors = new AtomicInteger();
        long t0 = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < count; i++) {
            final int n = i;
            long at = t0 + n * periodNanos;
            clock.schedule(() -> {
                try {
                    bridged.send(n);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
                allSent.countDown();
            }, at - System.nanoTime(), TimeUnit.NANOSECONDS);
            clock.schedule(() -> matrixSenders.execute(() -> {
                try {
                    matrixOnly.send(n);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
                allSent.countDown();
            }), at + periodNanos / 2 - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        allSent.await((long) (count / rate * 3 + 60), TimeUnit.SECONDS);
        clock.shutdownNow();
        matrixSenders.shutdownNow();
        return errors.get();
    }

    /** What a /sync loop does with one answer; {@code arrivedNanos} is System.nanoTime() when it arrived. */
    interface SyncHandler {
        void onSync(JsonNode sync, long arrivedNanos) throws Exception;
    }

    /**
     * Starts a daemon thread that long-polls {@code token}'s /sync (from now on: an initial sync's next_batch first)
     * and hands every answer to {@code handler}, until {@code stop}.
     */
    static void startSyncLoop(String token, AtomicBoolean stop, SyncHandler handler) throws Exception {
        String[] since = {sync(token, null, 0).path("next_batch").asText()};
        Thread syncer = new Thread(() -> {
            while (!stop.get()) {
                try {
                    JsonNode s = sync(token, since[0], 10_000);
                    long now = System.nanoTime();
                    since[0] = s.path("next_batch").asText(since[0]);
                    handler.onSync(s, now);
                } catch (Exception e) {
                    if (!stop.get()) {
                        System.err.println("sync failed: " + e);
                    }
                }
            }
        }, "bench-sync");
        syncer.setDaemon(true);
        syncer.start();
    }

    /** The timeline events of every joined room in one /sync answer. */
    static List<JsonNode> timelineEvents(JsonNode sync) {
        List<JsonNode> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = sync.path("rooms").path("join").fields(); it.hasNext(); ) {
            it.next().getValue().path("timeline").path("events").forEach(out::add);
        }
        return out;
    }

    /** Puts inviter -> room id for every invite in one /sync answer. */
    static void recordInvites(JsonNode sync, Map<String, String> invites) {
        for (Map.Entry<String, JsonNode> room : sync.path("rooms").path("invite").properties()) {
            for (JsonNode e : room.getValue().path("invite_state").path("events")) {
                if ("m.room.member".equals(e.path("type").asText()) && "invite".equals(e.path("content").path("membership").asText())) {
                    invites.put(e.path("sender").asText(), room.getKey());
                }
            }
        }
    }

    static int countArrived(Map<String, Long> arrived, String prefix, int count) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (arrived.containsKey(prefix + i)) {
                n++;
            }
        }
        return n;
    }

    static double[] latencies(Map<String, Long> arrived, String prefix, long[] sent) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < sent.length; i++) {
            Long at = arrived.get(prefix + i);
            if (at != null && sent[i] != 0) {
                out.add((at - sent[i]) / 1e6);
            }
        }
        double[] a = out.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static void report(String what, double[] a, int count) {
        System.out.printf("  %s: received %d/%d, median %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", what,
            a.length, count, pct(a, 50), pct(a, 90), pct(a, 99), a.length == 0 ? Double.NaN : a[a.length - 1]);
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

    static void send(String token, String roomId, String body) throws Exception {
        ObjectNode content = JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/b" + System.nanoTime() + "-"
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

    /** The Matrix ghost of the sandbox's XMPP user {@code localpart} (lowercase [a-z0-9_]: '_' doubled, '@' as =40). */
    static String ghostOf(String localpart) {
        return "@_xmpp_" + (localpart + "@" + env.get("XMPP_DOMAIN")).replace("_", "__").replace("@", "=40") + ":"
            + env.get("MATRIX_SERVER_NAME");
    }

    /** The XMPP puppet of the sandbox's Matrix user {@code localpart}: JID escaping keeps [a-z0-9._=+-] raw (see the
     * XMPP adapter's PuppetAddressing). */
    static EntityBareJid puppetOf(String localpart) throws Exception {
        return JidCreate.entityBareFrom(localpart + "%" + env.get("MATRIX_SERVER_NAME") + "@" + env.get("BRIDGE_XMPP_MATRIX_DOMAIN"));
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
            Thread.sleep(20);
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    static void awaitKey(Map<String, Long> map, String key, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!map.containsKey(key)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for '" + key + "' on Matrix");
            }
            Thread.sleep(20);
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
