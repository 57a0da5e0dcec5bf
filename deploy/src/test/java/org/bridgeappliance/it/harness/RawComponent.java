package org.bridgeappliance.it.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately tiny raw-socket XEP-0114 component for tests (the real one is the XMPP adapter's): the stream and
 * handshake, writes, and reads with deadlines. Used with the sandbox's test-only component domain. Static, blocking.
 */
public final class RawComponent {
    private static final int MAX_READ = 64 * 1024;

    private RawComponent() {
    }

    /** Opens the component stream and sends the handshake; returns the server's answer to it. */
    public static String handshake(Socket s, String domain, String secret) throws Exception {
        OutputStream out = s.getOutputStream();
        write(out, "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='"
            + domain + "'>");
        String header = readUntil(s, Pattern.compile("<stream:stream[^>]*>"), Duration.ofSeconds(10));
        Matcher id = Pattern.compile("<stream:stream[^>]*\\sid=['\"]([^'\"]+)['\"]").matcher(header);
        assertTrue(id.find(), "no stream id in " + header);
        byte[] digest = MessageDigest.getInstance("SHA-1").digest((id.group(1) + secret).getBytes(StandardCharsets.UTF_8));
        write(out, "<handshake>" + HexFormat.of().formatHex(digest) + "</handshake>");
        return readUntil(s, Pattern.compile("<handshake\\s*/>|<handshake>\\s*</handshake>|</stream:error>|<stream:error/>"),
            Duration.ofSeconds(10));
    }

    public static void write(OutputStream out, String xml) throws IOException {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads until {@code p} matches what was read (at most 64 KiB) or fails at the deadline. */
    public static String readUntil(Socket s, Pattern p, Duration timeout) throws IOException {
        InputStream in = s.getInputStream();
        Instant deadline = Instant.now().plus(timeout);
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!p.matcher(sb).find()) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0 || sb.length() > MAX_READ) {
                throw new AssertionError("did not read " + p + " within " + timeout + "; got: " + sb);
            }
            int n;
            try {
                s.setSoTimeout((int) Math.max(1, left));
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new AssertionError("stream closed before " + p + "; got: " + sb);
            }
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /**
     * Everything the socket receives within {@code window}: an observation window for something that must not come
     * (at most 64 KiB).
     */
    public static String readFor(Socket s, Duration window) throws IOException {
        InputStream in = s.getInputStream();
        Instant deadline = Instant.now().plus(window);
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (sb.length() <= MAX_READ) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                break;
            }
            int n;
            try {
                s.setSoTimeout((int) left);
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                break;
            }
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
