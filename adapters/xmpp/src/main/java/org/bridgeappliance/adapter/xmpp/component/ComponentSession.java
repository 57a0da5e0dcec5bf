package org.bridgeappliance.adapter.xmpp.component;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bridgeappliance.core.port.AdapterState;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one component stream up: connects in the background, reconnects with {@link Backoff} after
 * any loss, pings the server (XEP-0199) to find dead connections, and reports every change as an
 * {@link AdapterState}.
 *
 * <p>Threads: one supervisor thread (connect/reconnect), one scheduler (keepalive), one inbound
 * thread that runs the {@link ComponentConnection.Handler} in stream order. All daemon threads.
 */
public final class ComponentSession implements StanzaSender {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentSession.class);

    /** What the owner of the session hears about. */
    public interface Listener {
        /** A new stream is up; called on the inbound thread before any of its stanzas are handled. */
        void connected(ComponentConnection connection);

        /** The stream is gone (a reconnect follows unless the session is stopping); inbound thread. */
        void disconnected(String reason);

        /** Health changed; any thread, must not block. */
        void stateChanged(AdapterState state);
    }

    private final ComponentConnectionConfig config;
    private final Backoff backoff;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final ComponentConnection.Handler handler;
    private final Listener listener;
    private final ExecutorService inbound;
    private final boolean ownsInbound;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private final DomainBareJid componentJid;
    private final DomainBareJid pingTarget;
    private Thread supervisor;
    private volatile boolean stopping;
    private volatile ComponentConnection current;
    private volatile AdapterState state = AdapterState.of(AdapterState.Status.STARTING, "not started");
    private ScheduledFuture<?> keepalive;

    /**
     * @param pingTarget the server domain pinged for keepalive
     */
    public ComponentSession(ComponentConnectionConfig config, Backoff backoff, Duration pingInterval,
                            Duration pingTimeout, String pingTarget, ComponentConnection.Handler handler,
                            Listener listener) {
        this(config, backoff, pingInterval, pingTimeout, pingTarget, handler, listener, null);
    }

    /**
     * @param inbound the thread its stanzas are handled on, shared with other sessions (whoever passes it shuts
     *                it down after stopping them all); null: a thread of its own
     */
    public ComponentSession(ComponentConnectionConfig config, Backoff backoff, Duration pingInterval,
                            Duration pingTimeout, String pingTarget, ComponentConnection.Handler handler,
                            Listener listener, ExecutorService inbound) {
        this.config = Objects.requireNonNull(config, "config");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.pingInterval = Objects.requireNonNull(pingInterval, "pingInterval");
        this.pingTimeout = Objects.requireNonNull(pingTimeout, "pingTimeout");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.listener = Objects.requireNonNull(listener, "listener");
        try {
            this.componentJid = JidCreate.domainBareFrom(config.domain());
            this.pingTarget = JidCreate.domainBareFrom(pingTarget);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid domain: " + e.getMessage(), e);
        }
        this.ownsInbound = inbound == null;
        this.inbound = inbound != null ? inbound
                : Executors.newSingleThreadExecutor(daemon("xmpp-inbound-" + config.domain()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("xmpp-keepalive-" + config.domain()));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        synchronized (lock) {
            if (supervisor != null) {
                throw new IllegalStateException("already started");
            }
            setState(AdapterState.Status.STARTING, "connecting to " + config.host() + ":" + config.port());
            supervisor = new Thread(this::supervise, "xmpp-supervisor-" + config.domain());
            supervisor.setDaemon(true);
            supervisor.start();
        }
    }

    /**
     * Closes the stream gracefully (stanzas queued before are written first) and stops every thread.
     * Waits up to {@code grace} for the close. Idempotent.
     */
    public void stop(Duration grace) {
        Thread sup;
        synchronized (lock) {
            if (stopping) {
                return;
            }
            stopping = true;
            sup = supervisor;
            lock.notifyAll();
        }
        ComponentConnection connection = current;
        if (connection != null) {
            connection.close();
        }
        if (sup != null) {
            sup.interrupt();
            try {
                sup.join(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ComponentConnection late = current;
        if (late != null && late != connection) {
            late.close();
        }
        scheduler.shutdownNow();
        if (ownsInbound) {
            shutdownWithin(inbound, grace);
        }
        setState(AdapterState.Status.STOPPED, "stopped");
    }

    /** Lets {@code executor} finish its queued stanzas for up to {@code grace}, then stops what is left. */
    static void shutdownWithin(ExecutorService executor, Duration grace) {
        executor.shutdown();
        try {
            executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    /**
     * The current health. CONNECTED is reported only while the stream is really open: between a stream's end and
     * the supervisor noticing it, the answer is already RECONNECTING.
     */
    public AdapterState state() {
        AdapterState s = state;
        ComponentConnection c = current;
        if (s.status() == AdapterState.Status.CONNECTED && (c == null || !c.isOpen())) {
            return AdapterState.of(AdapterState.Status.RECONNECTING, "component stream closed");
        }
        return s;
    }

    /** The live connection, if any. */
    public Optional<ComponentConnection> connection() {
        ComponentConnection c = current;
        return c != null && c.isOpen() ? Optional.of(c) : Optional.empty();
    }

    @Override
    public boolean isConnected() {
        return connection().isPresent();
    }

    /** Sends on the live connection. */
    @Override
    public void send(Stanza stanza) throws ComponentConnection.NotConnectedException {
        ComponentConnection c = current;
        if (c == null) {
            throw new ComponentConnection.NotConnectedException("not connected");
        }
        c.send(stanza);
    }

    /** An IQ round trip on the live connection. */
    @Override
    public CompletableFuture<IQ> request(IQ iq, Duration timeout) {
        ComponentConnection c = current;
        if (c == null) {
            return CompletableFuture.failedFuture(new ComponentConnection.NotConnectedException("not connected"));
        }
        return c.request(iq, timeout);
    }

    /** The component domain this session connects as. */
    public String domain() {
        return config.domain();
    }

    /** Runs a task on the inbound thread, after the stanzas already received. */
    public void runInbound(Runnable task) {
        inbound.execute(task);
    }

    private void supervise() {
        while (!stopping) {
            ComponentConnection connection;
            try {
                CompletableFuture<StreamException> ended = new CompletableFuture<>();
                connection = ComponentConnection.open(config, new ClosingHandler(ended), inbound);
                current = connection;
                if (stopping) {
                    // stop() ran while we were connecting: it could not see this connection.
                    connection.close();
                    awaitEnd(ended);
                    break;
                }
                backoff.reset();
                inbound.execute(() -> safely(() -> listener.connected(connection)));
                setState(AdapterState.Status.CONNECTED, "connected as " + config.domain());
                startKeepalive(connection);
                StreamException cause = awaitEnd(ended);
                stopKeepalive();
                current = null;
                if (stopping) {
                    break;
                }
                String reason = cause == null ? "stream ended" : cause.condition() + ": " + cause.getMessage();
                inbound.execute(() -> safely(() -> listener.disconnected(reason)));
                if (cause instanceof ComponentAuthException || "conflict".equals(cause == null ? "" : cause.condition())) {
                    setState(AdapterState.Status.FAILED, reason);
                    sleep(backoff.maxDelay());
                } else {
                    setState(AdapterState.Status.RECONNECTING, reason);
                    sleep(backoff.nextDelay());
                }
            } catch (ComponentAuthException e) {
                // Wrong secret or domain: only an admin can fix it; keep trying slowly so a corrected
                // server configuration is picked up without restarting the appliance.
                setState(AdapterState.Status.FAILED, e.getMessage());
                sleep(backoff.maxDelay());
            } catch (IOException | RuntimeException e) {
                if (stopping) {
                    break;
                }
                Duration delay = backoff.nextDelay();
                setState(state.status() == AdapterState.Status.STARTING ? AdapterState.Status.STARTING
                        : AdapterState.Status.RECONNECTING,
                        "cannot connect to " + config.host() + ":" + config.port() + ": " + e.getMessage()
                                + "; retrying in " + delay.toMillis() + " ms");
                sleep(delay);
            }
        }
    }

    private StreamException awaitEnd(CompletableFuture<StreamException> ended) {
        try {
            return ended.get();
        } catch (InterruptedException e) {
            // stop(): wait briefly for the graceful close to finish.
            try {
                return ended.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException ignored) {
                return null;
            }
        } catch (ExecutionException e) {
            return null;
        }
    }

    private void sleep(Duration delay) {
        synchronized (lock) {
            long deadline = System.nanoTime() + delay.toNanos();
            long remaining;
            while (!stopping && (remaining = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void startKeepalive(ComponentConnection connection) {
        long period = pingInterval.toMillis();
        synchronized (lock) {
            keepalive = scheduler.scheduleWithFixedDelay(() -> ping(connection), period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void stopKeepalive() {
        synchronized (lock) {
            if (keepalive != null) {
                keepalive.cancel(false);
                keepalive = null;
            }
        }
    }

    private void ping(ComponentConnection connection) {
        if (!connection.isOpen()) {
            return;
        }
        Ping ping = new Ping(pingTarget);
        ping.setFrom(componentJid);
        try {
            // Any answer, even an error, proves the stream is alive (XEP-0199 §4.2).
            connection.request(ping, pingTimeout).get(pingTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            if (connection.isOpen()) {
                connection.abort(new StreamException("connection-timeout",
                        "no answer to XEP-0199 ping within " + pingTimeout.toMillis() + " ms"));
            }
        }
    }

    private void setState(AdapterState.Status status, String detail) {
        AdapterState previous = state;
        if (previous.status() == status && previous.detail().equals(detail)) {
            return;
        }
        AdapterState next = AdapterState.of(status, detail);
        state = next;
        LOG.info("XMPP component {}: {} ({})", config.domain(), status, detail);
        safely(() -> listener.stateChanged(next));
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("listener failed", e);
        }
    }

    private final class ClosingHandler implements ComponentConnection.Handler {
        private final CompletableFuture<StreamException> ended;

        ClosingHandler(CompletableFuture<StreamException> ended) {
            this.ended = ended;
        }

        @Override
        public void stanzaReceived(Stanza stanza) {
            handler.stanzaReceived(stanza);
        }

        @Override
        public void unparseable(StreamElement.Unparseable stanza) {
            handler.unparseable(stanza);
        }

        @Override
        public void closed(ComponentConnection connection, StreamException cause) {
            ended.complete(cause);
        }
    }
}
