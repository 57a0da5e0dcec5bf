package org.bridgeappliance.adapter.xmpp.component;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.bridgeappliance.core.port.AdapterState;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jxmpp.jid.Jid;

/**
 * The component streams of the adapter, one per component domain (one per foreign network), as one
 * {@link StanzaSender}: a stanza goes out on the stream of the domain it is from (Prosody refuses a stanza
 * whose {@code from} is not the sending component's), a stanza from anywhere else on the default stream
 * (the first). All streams hand their stanzas to one shared inbound thread, so the adapter's features still
 * see every stanza in one order on one thread.
 *
 * <p>Health: {@link #state()} is CONNECTED only when every stream is; otherwise the worst state, with a detail
 * naming each stream that is not connected.
 */
public final class ComponentStreams implements StanzaSender {
    private final Map<String, ComponentSession> sessions = new LinkedHashMap<>();
    private final ComponentSession defaultSession;
    private final ExecutorService inbound;

    /**
     * @param domains the component domains, the default first
     * @param factory builds the session of a domain, with the shared inbound executor it is given
     */
    public ComponentStreams(List<String> domains, SessionFactory factory) {
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("at least one component domain");
        }
        this.inbound = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "xmpp-inbound");
            t.setDaemon(true);
            return t;
        });
        for (String domain : domains) {
            sessions.put(domain, factory.create(domain, inbound));
        }
        this.defaultSession = sessions.get(domains.get(0));
    }

    /** Builds one domain's session. */
    @FunctionalInterface
    public interface SessionFactory {
        ComponentSession create(String domain, ExecutorService sharedInbound);
    }

    public void start() {
        sessions.values().forEach(ComponentSession::start);
    }

    /** Stops every stream (each closes gracefully within {@code grace}), then the inbound thread. Idempotent. */
    public void stop(Duration grace) {
        sessions.values().forEach(s -> s.stop(grace));
        ComponentSession.shutdownWithin(inbound, grace);
    }

    /** The session of {@code domain}, if it is one of ours. */
    public Optional<ComponentSession> session(String domain) {
        return Optional.ofNullable(sessions.get(domain));
    }

    /** The default (first) domain's session. */
    public ComponentSession defaultSession() {
        return defaultSession;
    }

    /** The stream a stanza from {@code from} goes out on: its domain's, else the default one. */
    public ComponentSession sessionFor(Jid from) {
        if (from != null) {
            ComponentSession s = sessions.get(from.getDomain().toString());
            if (s != null) {
                return s;
            }
        }
        return defaultSession;
    }

    @Override
    public void send(Stanza stanza) throws ComponentConnection.NotConnectedException {
        sessionFor(stanza.getFrom()).send(stanza);
    }

    @Override
    public CompletableFuture<IQ> request(IQ iq, Duration timeout) {
        return sessionFor(iq.getFrom()).request(iq, timeout);
    }

    /** Whether the default stream is up (the others are asked for by domain: {@link #isConnected(String)}). */
    @Override
    public boolean isConnected() {
        return defaultSession.isConnected();
    }

    /** Whether the stream of {@code domain} is up (false for a domain that is not ours). */
    @Override
    public boolean isConnected(String domain) {
        ComponentSession s = sessions.get(domain);
        return s != null && s.isConnected();
    }

    /** Runs a task on the shared inbound thread, after the stanzas already received. */
    public void runInbound(Runnable task) {
        inbound.execute(task);
    }

    /** CONNECTED only when every stream is; else the least healthy state, naming the streams that are not up. */
    public AdapterState state() {
        return combine(sessions, ComponentSession::state);
    }

    static <T> AdapterState combine(Map<String, T> parts, Function<T, AdapterState> stateOf) {
        List<String> down = new ArrayList<>();
        AdapterState worst = null;
        for (Map.Entry<String, T> e : parts.entrySet()) {
            AdapterState s = stateOf.apply(e.getValue());
            if (s.status() != AdapterState.Status.CONNECTED) {
                down.add(e.getKey() + ": " + s.status() + " (" + s.detail() + ")");
                if (worst == null || rank(s.status()) > rank(worst.status())) {
                    worst = s;
                }
            }
        }
        if (worst == null) {
            return AdapterState.of(AdapterState.Status.CONNECTED, "connected as " + String.join(", ", parts.keySet()));
        }
        if (parts.size() == 1) {
            return worst;
        }
        return AdapterState.of(worst.status(), down.size() + " of " + parts.size() + " components not connected: "
                + String.join("; ", down));
    }

    private static int rank(AdapterState.Status status) {
        return switch (status) {
            case CONNECTED -> 0;
            case STARTING -> 1;
            case RECONNECTING -> 2;
            case FAILED -> 3;
            default -> 4;
        };
    }
}
