package org.bridgeappliance.it.sip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-written SIP peer for hostile-input tests, independent of Jain-SIP: sends literal bytes to a SIP port over
 * UDP (responses are collected by Call-ID on a reader thread) or over TCP (one connection per request, the first
 * response read back). It parses only the status line and the Call-ID of responses.
 */
final class RawSipPeer implements AutoCloseable {
    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(?:Call-ID|i)[ \\t]*:[ \\t]*(\\S+)");

    private final InetSocketAddress target;
    private final DatagramSocket udp;
    private final Map<String, Integer> udpAnswers = new ConcurrentHashMap<>();
    private final AtomicLong udpUncorrelated = new AtomicLong();
    private final Thread reader;

    RawSipPeer(String host, int port) {
        this.target = new InetSocketAddress(host, port);
        try {
            udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            udp.setReceiveBufferSize(4 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(this::readUdp, "raw-sip-udp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The local UDP port (for Via headers of UDP requests). */
    int udpPort() {
        return udp.getLocalPort();
    }

    private void readUdp() {
        byte[] buf = new byte[70_000];
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                continue;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
            Optional<Integer> status = status(text);
            if (status.isEmpty() || status.get() < 200) {
                continue; // provisional answers (or a request) are not what is counted
            }
            Optional<String> callId = callId(text);
            if (callId.isPresent()) {
                udpAnswers.putIfAbsent(callId.get(), status.get());
            } else {
                udpUncorrelated.incrementAndGet();
            }
        }
    }

    static Optional<Integer> status(String response) {
        Matcher m = STATUS.matcher(response);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    static Optional<String> callId(String message) {
        Matcher m = CALL_ID.matcher(message);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    void sendUdp(byte[] request) {
        try {
            udp.send(new DatagramPacket(request, request.length, target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The final status answered to the UDP request with {@code callId}, if one arrived. */
    Optional<Integer> udpAnswer(String callId) {
        return Optional.ofNullable(udpAnswers.get(callId));
    }

    /** Waits until the UDP request with {@code callId} is answered; empty after {@code timeout}. */
    Optional<Integer> awaitUdpAnswer(String callId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Integer s = udpAnswers.get(callId);
            if (s != null) {
                return Optional.of(s);
            }
            if (Instant.now().isAfter(deadline)) {
                return Optional.empty();
            }
            try {
                Thread.sleep(2); // polling interval of a condition with a deadline, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Final UDP answers whose Call-ID could not be read. */
    long udpUncorrelated() {
        return udpUncorrelated.get();
    }

    /**
     * Sends {@code request} on a fresh TCP connection and returns the first final response's status line and
     * headers, or empty when the peer closed the connection or said nothing within {@code timeout}.
     */
    Optional<String> tcp(byte[] request, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(target, 2_000);
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            // the output stays open: Jain-SIP answers on this connection only while it is open
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (SocketException e) {
                    break; // reset by the peer
                }
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.ISO_8859_1);
                // skip provisional responses: wait for a final status line whose header section is complete
                Matcher m = Pattern.compile("(?m)^SIP/2\\.0 ([2-6]\\d{2}) [^\\r\\n]*\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n")
                    .matcher(text);
                if (m.find()) {
                    return Optional.of(m.group());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // refused or reset: no answer
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
