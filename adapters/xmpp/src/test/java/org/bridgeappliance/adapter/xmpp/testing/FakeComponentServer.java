package org.bridgeappliance.adapter.xmpp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scriptable stand-in for an XMPP server's component port (XEP-0114) on loopback: answers the
 * stream header and checks the handshake digest, then lets a test read what the component wrote and
 * write raw XML back. Used by unit tests only; integration tests use real Prosody.
 */
public final class FakeComponentServer implements AutoCloseable {
    private final ServerSocket server;
    private final String secret;
    private final BlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();
    private volatile boolean acceptHandshake = true;
    private final Thread acceptor;

    public FakeComponentServer(String secret) throws IOException {
        this.secret = secret;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fake-component-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** When false, the handshake is answered with a not-authorized stream error. */
    public void acceptHandshake(boolean accept) {
        this.acceptHandshake = accept;
    }

    /** The next connection that completed (or failed) the handshake. */
    public Peer awaitPeer(Duration timeout) throws InterruptedException {
        Peer peer = accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (peer == null) {
            throw new AssertionError("no component connected within " + timeout);
        }
        return peer;
    }

    private void acceptLoop() {
        int n = 0;
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Peer peer = new Peer(socket, "stream" + (++n));
                Thread t = new Thread(() -> peer.handshake(secret, acceptHandshake, accepted), "fake-peer-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** One component connection as the server sees it. */
    public static final class Peer {
        private final Socket socket;
        private final String streamId;
        private final StringBuilder received = new StringBuilder();
        private int consumed;
        private volatile boolean authenticated;
        private volatile boolean eof;

        Peer(Socket socket, String streamId) {
            this.socket = socket;
            this.streamId = streamId;
        }

        void handshake(String secret, boolean accept, BlockingQueue<Peer> accepted) {
            try {
                socket.setSoTimeout(0);
                readUntil(Pattern.compile("<stream:stream[^>]*>"), Duration.ofSeconds(5));
                send("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
                        + "xmlns='jabber:component:accept' id='" + streamId + "' from='matrix.xmpp.test'>");
                Matcher m = readUntil(Pattern.compile("<handshake>([0-9a-f]+)</handshake>"), Duration.ofSeconds(5));
                String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest((streamId + secret).getBytes(StandardCharsets.UTF_8)));
                if (accept && expected.equals(m.group(1))) {
                    authenticated = true;
                    send("<handshake/>");
                } else {
                    send("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
                            + "</stream:stream>");
                    socket.close();
                }
                accepted.add(this);
            } catch (Exception e) {
                accepted.add(this);
            }
        }

        public boolean authenticated() {
            return authenticated;
        }

        public synchronized void send(String xml) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(xml.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Reads until {@code pattern} matches text not consumed by an earlier match; returns the match. */
        public Matcher readUntil(Pattern pattern, Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            while (true) {
                Matcher m = pattern.matcher(received);
                if (m.find(consumed)) {
                    consumed = m.end();
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || eof) {
                    throw new AssertionError("component did not send " + pattern + " within " + timeout
                            + "; received after last match: " + received.substring(consumed));
                }
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                try {
                    int n = in.read(buf);
                    if (n < 0) {
                        eof = true;
                    } else {
                        received.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // loop re-checks the deadline
                }
            }
        }

        /** Everything received so far. */
        public String received() {
            return received.toString();
        }

        /** Waits until the component closes its side of the connection. */
        public void awaitEof(Duration timeout) throws IOException {
            try {
                readUntil(Pattern.compile("\\z\\A"), timeout); // never matches; returns via eof
            } catch (AssertionError e) {
                if (!eof) {
                    throw e;
                }
            }
        }

        public void close() throws IOException {
            socket.close();
        }
    }
}
