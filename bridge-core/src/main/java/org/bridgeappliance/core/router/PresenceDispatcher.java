package org.bridgeappliance.core.router;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.port.PresenceSupport;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;

/**
 * Delivers presence changes. Presence is not room-scoped and is ephemeral: it is not written to the outbox
 * and only the latest pending change per (person, target network) is kept (latest wins; a superseded one
 * is counted as an ephemeral drop).
 *
 * <p>Targets: every other network whose adapter implements {@link PresenceSupport} and where the person has
 * a puppet ({@link org.bridgeappliance.core.store.PuppetStore}): that is where someone can see them. When
 * the person has no puppet anywhere yet, every other presence-capable network gets it, so that the adapter
 * there may show (or create) the puppet. A network where an admin linked the person's own account
 * ({@link org.bridgeappliance.core.store.IdentityLinkStore}) is skipped: they are present there themselves.
 *
 * <p>A transient failure is retried with the router's backoff up to {@code maxAttempts}, unless a newer
 * change supersedes it; other failures are logged and counted, not reported back (there is no message to
 * tell anyone about).
 */
final class PresenceDispatcher {
    private static final System.Logger LOG = System.getLogger(PresenceDispatcher.class.getName());

    private record Key(UserRef person, Network network) {
    }

    private static final class Slot {
        PresenceEvent pending;
        int attempt;
        boolean running;
        boolean dead;
    }

    interface Scheduler {
        void execute(Runnable task);

        void schedule(Runnable task, long millis);
    }

    private final BridgeStores stores;
    private final Map<Network, ProtocolAdapter> adapters;
    private final RouterConfig config;
    private final RouterMetrics metrics;
    private final Scheduler scheduler;
    private final Map<Key, Slot> slots = new ConcurrentHashMap<>();

    PresenceDispatcher(BridgeStores stores, Map<Network, ProtocolAdapter> adapters, RouterConfig config,
                       RouterMetrics metrics, Scheduler scheduler) {
        this.stores = stores;
        this.adapters = adapters;
        this.config = config;
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    /** The networks {@code presence} goes to, by the rule above. */
    List<Network> targets(PresenceEvent presence) {
        UserRef person = presence.sender();
        List<Network> withPuppet = new ArrayList<>();
        List<Network> all = new ArrayList<>();
        for (ProtocolAdapter adapter : adapters.values()) {
            Network network = adapter.network();
            if (network.equals(person.network()) || !(adapter instanceof PresenceSupport)
                    || stores.identities().linkedAccount(person, network).isPresent()) {
                continue;
            }
            all.add(network);
            if (stores.puppets().find(person, network).isPresent()) {
                withPuppet.add(network);
            }
        }
        return withPuppet.isEmpty() ? all : withPuppet;
    }

    /** @return false if no network can receive it */
    boolean offer(PresenceEvent presence) {
        List<Network> targets = targets(presence);
        for (Network network : targets) {
            Key key = new Key(presence.sender(), network);
            while (true) {
                Slot slot = slots.computeIfAbsent(key, k -> new Slot());
                boolean start;
                synchronized (slot) {
                    if (slot.dead) {
                        continue;
                    }
                    if (slot.pending != null) {
                        metrics.countDroppedEphemeral(); // superseded before it was delivered: latest wins
                    }
                    slot.pending = presence;
                    slot.attempt = 0;
                    start = !slot.running;
                    slot.running = true;
                }
                if (start) {
                    scheduler.execute(() -> run(key, slot));
                }
                break;
            }
        }
        return !targets.isEmpty();
    }

    private void run(Key key, Slot slot) {
        while (true) {
            PresenceEvent presence;
            int attempt;
            synchronized (slot) {
                presence = slot.pending;
                if (presence == null) {
                    slot.running = false;
                    slot.dead = true;
                    slots.remove(key, slot);
                    return;
                }
                slot.pending = null;
                attempt = ++slot.attempt;
            }
            ProtocolAdapter adapter = adapters.get(key.network());
            try {
                if (!adapter.state().canDeliver()) {
                    throw new TransientDeliveryException("network " + key.network() + " not connected", null);
                }
                ((PresenceSupport) adapter).deliverPresence(presence);
                metrics.countPresenceDelivered();
            } catch (TransientDeliveryException e) {
                if (attempt < config.maxAttempts()) {
                    boolean superseded;
                    synchronized (slot) {
                        superseded = slot.pending != null;
                        if (!superseded) {
                            slot.pending = presence; // retry it after the backoff
                            slot.attempt = attempt;
                        }
                    }
                    if (superseded) {
                        metrics.countDroppedEphemeral();
                        continue; // something newer arrived meanwhile: deliver that instead, now
                    }
                    long nominal = config.backoff(attempt).toMillis();
                    long wait = nominal / 2 + ThreadLocalRandom.current().nextLong(nominal / 2 + 1);
                    scheduler.schedule(() -> run(key, slot), wait);
                    return; // still running: the scheduled run continues
                }
                failed(key, presence, e);
            } catch (RuntimeException e) {
                failed(key, presence, e);
            }
        }
    }

    private void failed(Key key, PresenceEvent presence, RuntimeException e) {
        metrics.countPresenceFailed();
        LOG.log(Level.WARNING, "could not deliver presence of " + presence.sender() + " to " + key.network(), e);
    }
}
