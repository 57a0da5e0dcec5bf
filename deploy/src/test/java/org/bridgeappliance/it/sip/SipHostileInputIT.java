package org.bridgeappliance.it.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile SIP input straight at the RUNNING appliance's SIP port (from 127.0.0.1, a trusted address, as the proxy
 * would relay it), with a hand-written peer ({@link RawSipPeer}) instead of Jain-SIP or sipp: a 70 KB MESSAGE over
 * TCP, the RFC 4475 torture messages that concern a MESSAGE server ({@link Rfc4475}) and 10,000 generated malformed
 * requests ({@link MalformedSip}), half over UDP and half over TCP. Every request is answered with a protocol error
 * where one can be answered (never 2xx, never 500), or dropped where RFC 3261/4475 allow it; the adapter counts its
 * answers (the admin API's {@code sip.answered.*} metrics); after each batch it still answers OPTIONS with 200 over
 * both transports and still delivers a good MESSAGE to a mapped Matrix room, in the same process, within bounded
 * memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SipHostileInputIT {
    private static final Duration T = Duration.ofSeconds(30);
    private static final Duration ANSWER = Duration.ofSeconds(5);
    private static final int GENERATED = 10_000;
    /** Heap (-Xmx512m) + metaspace (256m) + threads and code: the appliance's RSS must stay below this. */
    private static final long RSS_LIMIT_KB = 1_200_000;

    private final Sandbox sandbox = Sandbox.get();
    private final AdminApi admin = new AdminApi(sandbox);
    private final String run = Sandbox.uniqueName("h").replace('_', '-');
    private RawSipPeer peer;
    private MatrixSide carol;
    private String matrixRoomId;
    private String roomUri;
    private String mapping;
    private String member;
    private long appliancePid;
    private final List<String> report = new ArrayList<>();

    @BeforeAll
    void setUp() {
        sandbox.requireAppliance();
        peer = new RawSipPeer("127.0.0.1", sandbox.getInt("BRIDGE_SIP_PORT"));
        carol = new MatrixSide(sandbox, "carol", "Carol Hostile");
        matrixRoomId = carol.createRoom(Map.of("preset", "private_chat", "name", "hostile",
            "invite", List.of(sandbox.get("MATRIX_BOT_USER"))));
        carol.await("the bridge bot joining", e -> matrixRoomId.equals(e.roomId()) && "m.room.member".equals(e.type())
            && sandbox.get("MATRIX_BOT_USER").equals(e.event().path("state_key").asText())
            && "join".equals(e.event().path("content").path("membership").asText()), T);
        roomUri = "sip:" + run + "@rooms." + sandbox.get("BRIDGE_SIP_DOMAIN");
        mapping = admin.createRoom("{\"name\":\"hostile\",\"enabled\":true,\"portals\":[{\"network\":\"matrix\","
            + "\"room\":\"" + matrixRoomId + "\"},{\"network\":\"sip\",\"room\":\"" + roomUri + "\"}]}");
        member = "sip:good-" + run + "@" + sandbox.get("SIP_DOMAIN");
        // a command is answered 200 (done here), a message 202 (accepted for relaying)
        assertEquals(Optional.of(200), udpMessage(member, roomUri, "#join"), "#join of the well-behaved member");
        appliancePid = appliancePid();
    }

    @AfterAll
    void tearDown() {
        if (peer != null) {
            peer.close();
        }
        if (mapping != null) {
            admin.call("DELETE", "/api/v1/rooms/" + mapping, null);
        }
        report.forEach(line -> System.out.println("[SipHostileInputIT] " + line));
    }

    // ------------------------------------------------------------------ helpers

    private Optional<Integer> udpMessage(String from, String to, String text) {
        String callId = Sandbox.uniqueName("ok");
        peer.sendUdp(MalformedSip.request("MESSAGE", to, "UDP", peer.udpPort(), from, to, callId, "MESSAGE", List.of(),
            "text/plain;charset=UTF-8", text.getBytes(StandardCharsets.UTF_8)));
        return peer.awaitUdpAnswer(callId, ANSWER);
    }

    private byte[] options(String transport, String callId) {
        String to = "sip:" + run + "@rooms." + sandbox.get("BRIDGE_SIP_DOMAIN");
        return MalformedSip.request("OPTIONS", to, transport, transport.equals("UDP") ? peer.udpPort() : 5060,
            "sip:prober@" + sandbox.get("SIP_DOMAIN"), to, callId, "OPTIONS", List.of(), null, new byte[0]);
    }

    /** OPTIONS gets 200 over UDP and TCP, a good MESSAGE reaches Matrix, same process, bounded memory. */
    private void stillWorks(String after) {
        String udpId = Sandbox.uniqueName("opt");
        peer.sendUdp(options("UDP", udpId));
        assertEquals(Optional.of(200), peer.awaitUdpAnswer(udpId, ANSWER), "OPTIONS over UDP " + after);
        Optional<String> tcp = peer.tcp(options("TCP", Sandbox.uniqueName("opt")), ANSWER);
        assertEquals(Optional.of(200), tcp.flatMap(RawSipPeer::status), "OPTIONS over TCP " + after + ": " + tcp);
        String good = "still bridging ✓ " + after + " " + Sandbox.uniqueName("m");
        assertEquals(Optional.of(202), udpMessage(member, roomUri, good), "a good MESSAGE " + after);
        assertEquals("CONNECTED", admin.status("sip"), "the SIP adapter's state " + after);
        carol.await("the good MESSAGE " + after, e -> matrixRoomId.equals(e.roomId()) && good.equals(e.body()), T);
        assertEquals(appliancePid, appliancePid(), "the appliance process was replaced " + after);
        long rss = rssKb();
        report.add("appliance RSS " + after + ": " + rss / 1024 + " MB");
        assertTrue(rss < RSS_LIMIT_KB, "appliance RSS " + rss + " kB " + after);
    }

    private long appliancePid() {
        try {
            return Long.parseLong(Files.readString(sandbox.runDir().resolve("pids/appliance.pid")).trim());
        } catch (IOException e) {
            throw new AssertionError("no appliance PID file", e);
        }
    }

    private long rssKb() {
        try {
            for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/" + appliancePid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("the appliance process is gone", e);
        }
        throw new AssertionError("no VmRSS for the appliance");
    }

    /** Sum of the adapter's counted answers with a status in [from, to]. */
    private long answered(int from, int to) {
        return admin.metrics("sip.answered.").entrySet().stream().filter(e -> {
            int status = Integer.parseInt(e.getKey().substring("sip.answered.".length()));
            return status >= from && status <= to;
        }).mapToLong(Map.Entry::getValue).sum();
    }

    private static boolean acceptableRefusal(int status) {
        return (status >= 400 && status < 500) || status == 503 || status == 505 || status == 513;
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void a70KbMessageOverTcpGets413() {
        byte[] big = MalformedSip.request("MESSAGE", roomUri, "TCP", 5060, member, roomUri, Sandbox.uniqueName("big"),
            "MESSAGE", List.of(), "text/plain;charset=UTF-8", "x".repeat(70 * 1024).getBytes(StandardCharsets.UTF_8));
        Optional<String> answer = peer.tcp(big, T);
        assertEquals(Optional.of(413), answer.flatMap(RawSipPeer::status), answer.toString());
        stillWorks("after 70 KB over TCP");
    }

    @Test
    @Order(2)
    void rfc4475TortureMessagesAreAnsweredAsTheRfcSays() {
        List<String> wrong = new ArrayList<>();
        int i = 0;
        for (Rfc4475.Torture t : Rfc4475.CASES) {
            for (String transport : List.of("UDP", "TCP")) {
                String callId = "torture-" + run + "-" + (i++);
                byte[] bytes = t.render(transport, transport.equals("UDP") ? peer.udpPort() : 5060, callId,
                    "rooms." + sandbox.get("BRIDGE_SIP_DOMAIN"), sandbox.get("SIP_DOMAIN"));
                Optional<Integer> status;
                if (transport.equals("UDP")) {
                    peer.sendUdp(bytes);
                    status = peer.awaitUdpAnswer(callId, t.mayDrop() ? Duration.ofSeconds(2) : ANSWER);
                } else {
                    status = peer.tcp(bytes, t.mayDrop() ? Duration.ofSeconds(3) : ANSWER).flatMap(RawSipPeer::status);
                }
                report.add("RFC 4475 " + t.name() + " over " + transport + ": " + status.map(String::valueOf)
                    .orElse("dropped"));
                boolean ok = status.map(t.allowed()::contains).orElse(t.mayDrop());
                if (!ok) {
                    wrong.add(t.name() + " over " + transport + ": " + status.map(String::valueOf).orElse("no answer")
                        + ", expected " + t.allowed() + (t.mayDrop() ? " or nothing" : ""));
                }
            }
        }
        assertEquals(List.of(), wrong);
        stillWorks("after the RFC 4475 messages");
    }

    @Test
    @Order(3)
    void tenThousandMalformedRequestsAreAnsweredOrDroppedAndCounted() throws Exception {
        long refusedBefore = answered(400, 699);
        MalformedSip gen = new MalformedSip(4475, run, sandbox.get("BRIDGE_SIP_DOMAIN"), sandbox.get("SIP_DOMAIN"));
        Map<String, Integer> byKind = new TreeMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        int mustAnswer = 0;
        // UDP: one at a time for the answerable ones (their answer is awaited), the droppable ones fire and forget.
        List<MalformedSip.Case> udpDroppable = new ArrayList<>();
        for (int i = 0; i < GENERATED / 2; i++) {
            MalformedSip.Case c = gen.next(i, "UDP", peer.udpPort());
            byKind.merge(c.kind(), 1, Integer::sum);
            peer.sendUdp(c.bytes());
            if (c.mustAnswer()) {
                mustAnswer++;
                Optional<Integer> s = peer.awaitUdpAnswer(c.callId(), ANSWER);
                s.ifPresent(v -> byStatus.merge(v, 1, Integer::sum));
                if (s.isEmpty() || !acceptableRefusal(s.get())) {
                    wrong.add("UDP " + c.kind() + " #" + i + ": " + s.map(String::valueOf).orElse("no answer"));
                }
            } else {
                udpDroppable.add(c);
            }
        }
        // TCP: a connection per request, 16 at a time; a droppable one is given 1 s (Jain-SIP closes the connection
        // on a framing error, or waits for the rest of the announced body until this side gives up).
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<MalformedSip.Case> tcpCases = new ArrayList<>();
        List<Future<Optional<Integer>>> tcpAnswers = new ArrayList<>();
        try {
            for (int i = GENERATED / 2; i < GENERATED; i++) {
                MalformedSip.Case c = gen.next(i, "TCP", 5060);
                byKind.merge(c.kind(), 1, Integer::sum);
                tcpCases.add(c);
                tcpAnswers.add(pool.submit(() -> peer.tcp(c.bytes(), c.mustAnswer() ? ANSWER : Duration.ofSeconds(1))
                    .flatMap(RawSipPeer::status)));
            }
            for (int i = 0; i < tcpCases.size(); i++) {
                MalformedSip.Case c = tcpCases.get(i);
                Optional<Integer> s = tcpAnswers.get(i).get();
                s.ifPresent(v -> byStatus.merge(v, 1, Integer::sum));
                if (c.mustAnswer()) {
                    mustAnswer++;
                }
                boolean ok = s.isPresent() ? acceptableRefusal(s.get()) : !c.mustAnswer();
                if (!ok) {
                    wrong.add("TCP " + c.kind() + ": " + s.map(String::valueOf).orElse("no answer"));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // The droppable UDP ones: whatever was answered must be a refusal.
        for (MalformedSip.Case c : udpDroppable) {
            Optional<Integer> s = peer.udpAnswer(c.callId());
            s.ifPresent(v -> byStatus.merge(v, 1, Integer::sum));
            if (s.isPresent() && !acceptableRefusal(s.get())) {
                wrong.add("UDP " + c.kind() + ": " + s.get());
            }
        }
        long refusedCounted = answered(400, 699) - refusedBefore;
        report.add("generated: " + GENERATED + " by kind " + byKind);
        report.add("answers seen by status: " + byStatus + "; UDP answers without a readable Call-ID: "
            + peer.udpUncorrelated());
        report.add("must-answer cases: " + mustAnswer + "; refusals counted by the adapter: " + refusedCounted);
        assertEquals(List.of(), wrong.size() > 50 ? wrong.subList(0, 50) : wrong);
        // Every answerable request reached the adapter and its refusal was counted (the parser's own 400s for
        // the broken ones are Jain-SIP's and not counted there).
        assertTrue(refusedCounted >= mustAnswer, "counted " + refusedCounted + " < " + mustAnswer);
        stillWorks("after " + GENERATED + " malformed requests");
    }

    @Test
    @Order(4)
    void requestsFromTheAdaptersOwnDomainAndUnknownMethodsAreCountedByStatus() {
        long forbidden = answered(403, 403);
        long notAllowed = answered(405, 405);
        assertEquals(Optional.of(403), udpMessage("sip:loop@rooms." + sandbox.get("BRIDGE_SIP_DOMAIN"), roomUri, "x"));
        String callId = Sandbox.uniqueName("m");
        peer.sendUdp(MalformedSip.request("XFOO", roomUri, "UDP", peer.udpPort(), member, roomUri, callId, "XFOO",
            List.of(), null, new byte[0]));
        assertEquals(Optional.of(405), peer.awaitUdpAnswer(callId, ANSWER));
        assertEquals(forbidden + 1, answered(403, 403));
        assertEquals(notAllowed + 1, answered(405, 405));
        assertEquals("CONNECTED", admin.status("sip"));
    }
}
