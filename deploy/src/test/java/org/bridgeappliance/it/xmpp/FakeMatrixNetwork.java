package org.bridgeappliance.it.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * An in-process stand-in for the "matrix" network: records what the router delivers to it and lets a
 * test submit events as Matrix users. Provisions 1:1 chats and gateway rooms on demand, like the real
 * Matrix adapter would. (The XMPP side of these tests is real: Prosody and Smack clients.)
 */
final class FakeMatrixNetwork implements ProtocolAdapter, PortalProvisioning {
    static final Network MATRIX = Network.of("matrix");
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<DeliveryFailure> failures = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile AdapterContext context;

    @Override
    public Network network() {
        return MATRIX;
    }

    @Override
    public void start(AdapterContext context) {
        this.context = context;
        context.stateListener().stateChanged(MATRIX, AdapterState.of(AdapterState.Status.CONNECTED, "fake"));
    }

    @Override
    public void stop() {
    }

    @Override
    public AdapterState state() {
        return AdapterState.of(AdapterState.Status.CONNECTED, "fake");
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return RoomCapabilities.FULL;
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return user.value().startsWith("@_xmpp_");
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        synchronized (deliveries) {
            deliveries.add(delivery);
            deliveries.notifyAll();
        }
        return DeliveryReceipt.of("$fake" + ids.incrementAndGet());
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        synchronized (deliveries) {
            failures.add(failure);
            deliveries.notifyAll();
        }
    }

    @Override
    public RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser) {
        return RemoteRoomId.of("!dm-" + ids.incrementAndGet() + ":matrix.test");
    }

    final List<String> resolved = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        resolved.add(address);
        return address.startsWith("#") ? Optional.of(RemoteRoomId.of("!gw-" + ids.incrementAndGet() + ":matrix.test"))
                : Optional.empty();
    }

    EventIngress.Acceptance submit(BridgeEvent event) {
        return context.ingress().submit(event);
    }

    /** Waits for a delivery matching {@code predicate}; fails after {@code timeout}. */
    Delivery await(Predicate<Delivery> predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (deliveries) {
            while (true) {
                for (Delivery d : deliveries) {
                    if (predicate.test(d)) {
                        return d;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching delivery within " + timeout + "; got " + deliveries);
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(deliveries, left);
            }
        }
    }

    List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }
}
