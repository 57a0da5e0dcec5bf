package org.bridgeappliance.adapter.xmpp.component;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.StringUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated component stream (XEP-0114) to the XMPP server: a TCP socket, one reader thread
 * that parses with Smack ({@link ComponentStreamReader}) and one writer thread that serialises every
 * write. Not reconnecting: {@link ComponentSession} opens a new one when this one ends.
 *
 * <p>Threading: {@link #send} and {@link #request} may be called from any thread; they serialise the
 * stanza on the caller's thread and queue it. Inbound stanzas are handed to the {@link Handler}
 * through the given executor, in stream order; IQ results for {@link #request} complete on the reader
 * thread (so a handler waiting for one never deadlocks the reader).
 */
public final class ComponentConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentConnection.class);
    /** Stanzas are written in the stream's default namespace, so Smack must not add {@code xmlns='jabber:client'}. */
    public static final XmlEnvironment OUTBOUND_ENVIRONMENT =
            XmlEnvironment.builder().withNamespace(SecureXml.CLIENT_NAMESPACE).build();
    private static final String CLOSE_MARKER = new String("</stream:stream>");

    /** Receives what the stream carries. */
    public interface Handler {
        /** A stanza; called on the inbound executor, in stream order. */
        void stanzaReceived(Stanza stanza);

        /** A stanza Smack could not parse; called on the inbound executor. */
        void unparseable(StreamElement.Unparseable stanza);

        /** The stream ended (once per connection); called on the reader thread, must not block. */
        void closed(ComponentConnection connection, StreamException cause);
    }

    private final ComponentConnectionConfig config;
    private final Socket socket;
    private final ComponentStreamReader reader;
    private final Writer writer;
    private final Handler handler;
    private final Executor inbound;
    private final BlockingQueue<String> outgoing;
    private final Map<String, CompletableFuture<IQ>> pendingIqs = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StreamException closeCause;
    private final java.util.concurrent.CountDownLatch readerDone = new java.util.concurrent.CountDownLatch(1);

    private ComponentConnection(ComponentConnectionConfig config, Socket socket, ComponentStreamReader reader,
                                Writer writer, Handler handler, Executor inbound) {
        this.config = config;
        this.socket = socket;
        this.reader = reader;
        this.writer = writer;
        this.handler = handler;
        this.inbound = inbound;
        this.outgoing = new ArrayBlockingQueue<>(config.sendQueueCapacity());
    }

    /**
     * Connects, opens the stream and performs the handshake; blocks up to the connect timeout.
     *
     * @throws ComponentAuthException when the server refuses the component
     * @throws StreamException        on any other protocol error
     * @throws IOException            when the server cannot be reached
     */
    public static ComponentConnection open(ComponentConnectionConfig config, Handler handler, Executor inbound)
            throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(inbound, "inbound");
        Socket socket = new Socket();
        try {
            int timeout = (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
            socket.connect(new InetSocketAddress(config.host(), config.port()), timeout);
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setSoTimeout(timeout);
            Writer writer = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
            writer.write("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                    + "xmlns:stream='http://etherx.jabber.org/streams' to='"
                    + StringUtils.escapeForXmlAttributeApos(config.domain()) + "'>");
            writer.flush();
            ComponentStreamReader reader = new ComponentStreamReader(socket.getInputStream(), config.maxStanzaBytes());
            String streamId = reader.readHeader().id();
            writer.write("<handshake>" + handshakeDigest(streamId, config.secret()) + "</handshake>");
            writer.flush();
            StreamElement answer = reader.next();
            if (answer instanceof StreamElement.StreamErrorReceived error) {
                throw new ComponentAuthException(error.condition(), "server refused component " + config.domain()
                        + ": " + error.condition() + error.text().map(t -> " (" + t + ")").orElse(""));
            }
            if (!(answer instanceof StreamElement.HandshakeAccepted)) {
                throw new StreamException("not-authorized", "expected <handshake/>, got " + answer);
            }
            // Liveness from here on is checked by XEP-0199 pings, not by read timeouts.
            socket.setSoTimeout(0);
            ComponentConnection connection = new ComponentConnection(config, socket, reader, writer, handler, inbound);
            connection.startThreads();
            return connection;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** XEP-0114 §3: lowercase hex SHA-1 of the stream id concatenated with the secret. */
    static String handshakeDigest(String streamId, String secret) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest((streamId + secret).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    private void startThreads() {
        Thread readerThread = new Thread(this::readLoop, "xmpp-component-reader-" + config.domain());
        readerThread.setDaemon(true);
        Thread writerThread = new Thread(this::writeLoop, "xmpp-component-writer-" + config.domain());
        writerThread.setDaemon(true);
        writerThread.start();
        readerThread.start();
    }

    public String domain() {
        return config.domain();
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Serialises and queues a stanza. Blocks while the outgoing queue is full, up to the send timeout.
     *
     * @throws NotConnectedException if the stream is closed or the queue stayed full
     */
    public void send(Stanza stanza) throws NotConnectedException {
        sendRaw(stanza.toXML(OUTBOUND_ENVIRONMENT).toString());
    }

    /** Queues already serialised XML (one complete top-level element). */
    public void sendRaw(String xml) throws NotConnectedException {
        if (closed.get()) {
            throw new NotConnectedException("component stream is closed");
        }
        try {
            if (!outgoing.offer(xml, config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new NotConnectedException("outgoing queue full for " + config.sendTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConnectedException("interrupted while queueing");
        }
    }

    /**
     * Sends an IQ get/set and returns its result or error IQ. The future fails with a
     * {@link TimeoutException} after {@code timeout}, or with {@link NotConnectedException} if the
     * stream closes first.
     */
    public CompletableFuture<IQ> request(IQ iq, Duration timeout) {
        String id = iq.getStanzaId();
        CompletableFuture<IQ> future = new CompletableFuture<>();
        pendingIqs.put(id, future);
        future.whenComplete((r, e) -> pendingIqs.remove(id, future));
        try {
            send(iq);
        } catch (NotConnectedException e) {
            future.completeExceptionally(e);
            return future;
        }
        return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes gracefully: everything queued so far is written, then {@code </stream:stream>}. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeCause = new StreamException("closed", "closed by the bridge");
            // The marker goes after every stanza queued before close(), so goodbyes (unavailable
            // presences) reach the server. If the queue is full, the writer is stuck anyway.
            if (!outgoing.offer(CLOSE_MARKER)) {
                closeQuietly(socket);
            }
        }
    }

    /** Ends the stream at once with a stream error (RFC 6120 §4.9), e.g. after a ping timeout. */
    public void abort(StreamException cause) {
        if (closed.compareAndSet(false, true)) {
            closeCause = cause;
            LOG.warn("closing component stream {}: {} ({})", config.domain(), cause.condition(), cause.getMessage());
            try {
                synchronized (writer) {
                    writer.write("<stream:error><" + cause.condition()
                            + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
                    writer.flush();
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not send stream error", e);
            }
            closeQuietly(socket);
        }
    }

    private void readLoop() {
        StreamException cause = null;
        try {
            while (true) {
                StreamElement element = reader.next();
                if (element instanceof StreamElement.StanzaReceived received) {
                    Stanza stanza = received.stanza();
                    if (stanza instanceof IQ iq && isResponse(iq)) {
                        CompletableFuture<IQ> pending = pendingIqs.remove(iq.getStanzaId());
                        if (pending != null) {
                            pending.complete(iq);
                            continue;
                        }
                    }
                    dispatch(() -> handler.stanzaReceived(stanza));
                } else if (element instanceof StreamElement.Unparseable unparseable) {
                    dispatch(() -> handler.unparseable(unparseable));
                } else if (element instanceof StreamElement.StreamErrorReceived error) {
                    cause = new StreamException(error.condition(), "server closed the stream: " + error.condition()
                            + error.text().map(t -> " (" + t + ")").orElse(""));
                    break;
                } else if (element instanceof StreamElement.StreamClosed) {
                    cause = new StreamException("closed", "server closed the stream");
                    break;
                }
            }
        } catch (StreamException e) {
            cause = e;
            if (!closed.get() && !"connection-timeout".equals(e.condition())) {
                abort(e);
            }
        } catch (Throwable e) {
            // Anything else (a StackOverflowError in a parser, a bug) must not end the reader thread silently:
            // the session would stay "connected" to a stream nobody reads. End the stream so it reconnects.
            LOG.error("component stream reader of {} failed", config.domain(), e);
            cause = new StreamException("internal-server-error", "reader failed: " + e, e);
            if (!closed.get()) {
                abort(cause);
            }
        } finally {
            finish(cause);
        }
    }

    private static boolean isResponse(IQ iq) {
        return iq.getType() == IQ.Type.result || iq.getType() == IQ.Type.error;
    }

    private void dispatch(Runnable task) {
        try {
            inbound.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | StackOverflowError e) {
                    // A handler bug (or a converter recursing on hostile input) must not stop the stream.
                    LOG.error("inbound stanza handler failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("inbound executor shut down; stanza dropped during shutdown");
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                String xml = outgoing.take();
                synchronized (writer) {
                    writer.write(xml);
                    // Batch what is already queued, then flush once.
                    String more;
                    while (xml != CLOSE_MARKER && (more = outgoing.poll()) != null) {
                        writer.write(more);
                        xml = more;
                    }
                    writer.flush();
                }
                if (xml == CLOSE_MARKER) {
                    break;
                }
            }
        } catch (IOException e) {
            if (!closed.get()) {
                abort(new StreamException("connection-timeout", "write failed: " + e.getMessage(), e));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (closed.get()) {
                // Graceful close: give the server a moment to answer </stream:stream>, the reader then ends.
                try {
                    socket.shutdownOutput();
                    if (!readerDone.await(2, TimeUnit.SECONDS)) {
                        closeQuietly(socket);
                    }
                } catch (IOException ignored) {
                    closeQuietly(socket);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closeQuietly(socket);
                }
            }
        }
    }

    /** Ends this connection once (reader thread, always, whatever ended the read loop): the session then reconnects. */
    private void finish(StreamException cause) {
        closed.set(true);
        readerDone.countDown();
        StreamException effective = closeCause != null ? closeCause : cause;
        closeQuietly(socket);
        outgoing.clear();
        // Wake the writer so that its thread ends too (it may be waiting on an empty queue).
        outgoing.offer(CLOSE_MARKER);
        NotConnectedException failure = new NotConnectedException("component stream closed");
        pendingIqs.values().forEach(f -> f.completeExceptionally(failure));
        pendingIqs.clear();
        try {
            handler.closed(this, effective != null ? effective : new StreamException("closed", "stream ended"));
        } catch (RuntimeException e) {
            LOG.error("close handler failed", e);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The stream is closed or cannot take more stanzas now; a later retry may succeed. */
    public static final class NotConnectedException extends Exception {
        private static final long serialVersionUID = 1L;

        public NotConnectedException(String message) {
            super(message);
        }
    }
}
