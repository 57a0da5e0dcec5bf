package org.bridgeappliance.deploy;

import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * A disabled adapter for network "testnet", present only when {@code bridge.test-adapter.enabled}
 * is set (so the integration tests' appliance never sees it). It records what the composition root
 * did to it: whether the router started it, and whether the stores still worked when it was
 * stopped at shutdown (they must: the database closes last).
 */
@Singleton
@Requires(property = "bridge.test-adapter.enabled", value = "true")
public class TestAdapter implements ProtocolAdapter {
    static final Network NETWORK = Network.of("testnet");

    private final AtomicReference<AdapterContext> context = new AtomicReference<>();
    final AtomicReference<String> storesAtStop = new AtomicReference<>("not stopped");

    @Override
    public Network network() {
        return NETWORK;
    }

    @Override
    public void start(AdapterContext ctx) {
        context.set(ctx);
    }

    boolean started() {
        return context.get() != null;
    }

    @Override
    public void stop() {
        AdapterContext ctx = context.get();
        try {
            storesAtStop.set("usable: " + ctx.stores().rooms().all().size() + " rooms");
        } catch (RuntimeException e) {
            storesAtStop.set("failed: " + e);
        }
    }

    @Override
    public AdapterState state() {
        return new AdapterState(AdapterState.Status.DISABLED, "test adapter, disabled", Instant.EPOCH);
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return RoomCapabilities.PLAIN_TEXT;
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return false;
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        throw new PermanentDeliveryException("test adapter delivers nothing");
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
    }
}
