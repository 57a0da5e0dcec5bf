package org.bridgeappliance.adapter.sip;

import jakarta.inject.Singleton;
import java.util.Optional;
import org.bridgeappliance.adapter.sip.offline.SipStore;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * The SIP adapter as a Micronaut bean: always present (deploy/CONVENTIONS.md), DISABLED unless
 * {@code bridge.sip.enabled}. Its durable state ({@link SipStore}) is provided by the appliance (JDBC).
 */
@Singleton
public class SipAdapterBean implements ProtocolAdapter, PortalProvisioning {
    private final SipAdapter adapter;

    public SipAdapterBean(SipConfig config, SipStore store) {
        this.adapter = new SipAdapter(config.toSettings(), store);
    }

    /** The plain adapter (diagnostics, tests). */
    public SipAdapter adapter() {
        return adapter;
    }

    @Override
    public Network network() {
        return adapter.network();
    }

    @Override
    public void start(AdapterContext context) {
        adapter.start(context);
    }

    @Override
    public void stop() {
        adapter.stop();
    }

    @Override
    public AdapterState state() {
        return adapter.state();
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return adapter.capabilities(room);
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return adapter.isBridgeUser(user);
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        return adapter.deliver(delivery);
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        adapter.reportFailure(failure);
    }

    @Override
    public RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser) {
        return adapter.ensureDirectChat(person, localUser);
    }

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        return adapter.resolveRoom(address);
    }
}
