package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal SIP UAS on a UDP port of 127.0.0.1 for tests: records every request it receives and answers each
 * with {@code 200 OK} (RFC 3261 section 8.2.6: Via, From, Call-ID and CSeq copied, a To-tag added), sent back to the
 * packet's source (Kamailio's socket). Retransmissions of a request get the same answer again and are recorded
 * once. Datagrams are at most 65,535 bytes by nature; anything that is not a SIP request is ignored.
 *
 * <p>Used where Kamailio routes a domain to a port of ours: {@code bridge.sip.test} → BRIDGE_SIP_PORT while the
 * appliance's SIP adapter does not bind it, and the test-only {@code probe.sip.test} → SIP_PROBE_PORT. The
 * receive loop runs on its own daemon thread; {@link #awaitRequest} blocks the caller until a request arrives.
 */
public final class SipTestListener implements AutoCloseable {

    /** A received request: method, Request-URI, headers (first value per lower-case name), body. */
    public record Request(String method, String requestUri, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private final BlockingQueue<Request> received = new LinkedBlockingQueue<>();
    private final Map<String, byte[]> answered = new LinkedHashMap<>();

    private SipTestListener(DatagramSocket socket) {
        this.socket = socket;
        this.thread = new Thread(this::loop, "sip-test-listener-" + socket.getLocalPort());
        this.thread.setDaemon(true);
    }

    /**
     * Binds UDP 127.0.0.1:{@code port}. If another process holds the port, fails with a message naming
     * {@code purpose} (never skips: a silently skipped routing test would hide a broken sandbox).
     */
    public static SipTestListener bind(int port, String purpose) {
        DatagramSocket s;
        try {
            s = new DatagramSocket(null);
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (BindException e) {
            throw new IllegalStateException("UDP port 127.0.0.1:" + port + " (" + purpose + ") is already bound by "
                + "another process. If the appliance's SIP adapter now listens there, this test must target it "
                + "instead of binding the port itself.", e);
        } catch (SocketException e) {
            throw new IllegalStateException("cannot bind UDP 127.0.0.1:" + port + ": " + e, e);
        }
        SipTestListener l = new SipTestListener(s);
        l.thread.start();
        return l;
    }

    private void loop() {
        byte[] buf = new byte[65_535];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return; // closed
            }
            String text = new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
            Request req = parse(text);
            if (req == null) {
                continue;
            }
            String key = req.header("call-id") + "|" + req.header("cseq");
            byte[] answer;
            synchronized (answered) {
                answer = answered.get(key);
                if (answer == null) {
                    answer = ok(text).getBytes(StandardCharsets.UTF_8);
                    answered.put(key, answer);
                    received.add(req);
                }
            }
            try {
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    static Request parse(String text) {
        int headerEnd = text.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return null;
        }
        String[] lines = text.substring(0, headerEnd).split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length != 3 || !"SIP/2.0".equals(first[2])) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.putIfAbsent(compactToLong(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT)),
                    lines[i].substring(c + 1).trim());
            }
        }
        return new Request(first[0], first[1], headers, text.substring(headerEnd + 4));
    }

    private static String compactToLong(String name) {
        return switch (name) {
            case "v" -> "via";
            case "f" -> "from";
            case "t" -> "to";
            case "i" -> "call-id";
            case "c" -> "content-type";
            case "l" -> "content-length";
            case "m" -> "contact";
            default -> name;
        };
    }

    /** 200 OK for the request in {@code text}: all Via headers in order, From, To (+tag), Call-ID, CSeq. */
    private static String ok(String text) {
        String head = text.substring(0, text.indexOf("\r\n\r\n"));
        StringBuilder sb = new StringBuilder("SIP/2.0 200 OK\r\n");
        List<String> vias = new ArrayList<>();
        String from = null;
        String to = null;
        String callId = null;
        String cseq = null;
        for (String line : head.split("\r\n")) {
            int c = line.indexOf(':');
            if (c <= 0) {
                continue;
            }
            String name = compactToLong(line.substring(0, c).trim().toLowerCase(Locale.ROOT));
            String value = line.substring(c + 1).trim();
            switch (name) {
                case "via" -> vias.add(value);
                case "from" -> from = value;
                case "to" -> to = value;
                case "call-id" -> callId = value;
                case "cseq" -> cseq = value;
                default -> { }
            }
        }
        for (String v : vias) {
            sb.append("Via: ").append(v).append("\r\n");
        }
        sb.append("From: ").append(from).append("\r\n");
        sb.append("To: ").append(to).append(to != null && to.contains(";tag=") ? "" : ";tag=it" + Integer.toHexString(
            (callId == null ? 0 : callId.hashCode()))).append("\r\n");
        sb.append("Call-ID: ").append(callId).append("\r\n");
        sb.append("CSeq: ").append(cseq).append("\r\n");
        sb.append("Content-Length: 0\r\n\r\n");
        return sb.toString();
    }

    /** The next request received, or an AssertionError after {@code timeout}. */
    public Request awaitRequest(Duration timeout) {
        try {
            Request r = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new AssertionError("no SIP request reached 127.0.0.1:" + socket.getLocalPort() + " within " + timeout);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
