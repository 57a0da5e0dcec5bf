package org.bridgeappliance.adapter.sip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A hand-written SIP peer over UDP for tests: sends literal requests and reads responses, or plays a proxy
 * that receives the adapter's requests and answers them with a chosen status. Independent of Jain-SIP.
 */
final class RawSip implements AutoCloseable {
    final DatagramSocket socket;

    RawSip() {
        try {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            socket.setSoTimeout(5000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    /** A MESSAGE from {@code from} (a SIP URI) to {@code to} as a proxy would relay it. */
    String message(String to, String from, String callId, int cseq, String contentType, byte[] body, int maxForwards) {
        return "MESSAGE " + to + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: " + maxForwards + "\r\n"
                + "From: \"Erin\" <" + from + ">;tag=" + callId.hashCode() + "\r\n"
                + "To: <" + to + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " MESSAGE\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
    }

    String options(String to, String from) {
        return "OPTIONS " + to + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <" + from + ">;tag=1\r\nTo: <" + to + ">\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    /** Sends head + body to the adapter and returns the first final response's text. */
    String request(int port, String head, byte[] body) {
        send(port, head, body);
        while (true) {
            String r = receive();
            if (r == null) {
                throw new AssertionError("no response");
            }
            if (!r.startsWith("SIP/2.0 1")) {
                return r;
            }
        }
    }

    void send(int port, String head, byte[] body) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        try {
            socket.send(new DatagramPacket(all, all.length, InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram as text, or null after the socket timeout. */
    String receive() {
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As a proxy: waits for the next request (skipping anything else) and answers it with {@code status}. */
    String answerNext(int status, String reason) {
        while (true) {
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no request reached the proxy");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String req = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (req.startsWith("SIP/2.0")) {
                continue;
            }
            StringBuilder resp = new StringBuilder("SIP/2.0 " + status + " " + reason + "\r\n");
            for (String line : headers(req)) {
                String lower = line.toLowerCase();
                if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("call-id:")
                        || lower.startsWith("cseq:")) {
                    resp.append(line).append("\r\n");
                } else if (lower.startsWith("to:")) {
                    resp.append(line).append(";tag=proxy\r\n");
                }
            }
            resp.append("Content-Length: 0\r\n\r\n");
            byte[] out = resp.toString().getBytes(StandardCharsets.UTF_8);
            try {
                socket.send(new DatagramPacket(out, out.length, p.getAddress(), p.getPort()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return req;
        }
    }

    static List<String> headers(String msg) {
        int end = msg.indexOf("\r\n\r\n");
        String[] lines = msg.substring(0, end < 0 ? msg.length() : end).split("\r\n");
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            out.add(lines[i]);
        }
        return out;
    }

    static String header(String msg, String name) {
        for (String line : headers(msg)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static String body(String msg) {
        int end = msg.indexOf("\r\n\r\n");
        return end < 0 ? "" : msg.substring(end + 4);
    }

    @Override
    public void close() {
        socket.close();
    }
}
