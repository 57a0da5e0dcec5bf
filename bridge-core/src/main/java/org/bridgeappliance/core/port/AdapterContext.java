package org.bridgeappliance.core.port;

import java.time.Clock;
import java.util.Objects;
import org.bridgeappliance.core.store.BridgeStores;

/**
 * What the appliance hands an adapter at start: where to submit inbound events, where to report
 * its health, the stores it may read and write, the coordinator that creates room mappings on
 * demand (1:1 chats, gateway rooms), the other networks' address rules ({@link Addressing}, for
 * puppet ids made from other networks' canonical user ids), and where a store-and-forward network
 * reports late delivery outcomes ({@link DeliveryOutcomes}), people's last known presence
 * ({@link PresenceDirectory}), and where it reports a delivered copy before its receipt ({@link EarlyCopies}).
 */
public record AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores,
                             Clock clock, PortalCoordinator portals, Addressing addressing,
                             DeliveryOutcomes outcomes, PresenceDirectory presence, EarlyCopies copies) {
    public AdapterContext {
        Objects.requireNonNull(ingress, "ingress");
        Objects.requireNonNull(stateListener, "stateListener");
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(portals, "portals");
        Objects.requireNonNull(addressing, "addressing");
        Objects.requireNonNull(outcomes, "outcomes");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(copies, "copies");
    }

    /** A context without early copies ({@link EarlyCopies#NONE}). */
    public AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores, Clock clock,
                          PortalCoordinator portals, Addressing addressing, DeliveryOutcomes outcomes,
                          PresenceDirectory presence) {
        this(ingress, stateListener, stores, clock, portals, addressing, outcomes, presence, EarlyCopies.NONE);
    }

    /** A context without a presence memory ({@link PresenceDirectory#NONE}). */
    public AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores, Clock clock,
                          PortalCoordinator portals, Addressing addressing, DeliveryOutcomes outcomes) {
        this(ingress, stateListener, stores, clock, portals, addressing, outcomes, PresenceDirectory.NONE);
    }

    /** A context without late delivery outcomes ({@link DeliveryOutcomes#NONE}). */
    public AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores, Clock clock,
                          PortalCoordinator portals, Addressing addressing) {
        this(ingress, stateListener, stores, clock, portals, addressing, DeliveryOutcomes.NONE);
    }

    /** A context whose networks have no address syntax (ids compared verbatim). */
    public AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores, Clock clock,
                          PortalCoordinator portals) {
        this(ingress, stateListener, stores, clock, portals, Addressing.NONE);
    }

    /** A context without on-demand room creation. */
    public AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores, Clock clock) {
        this(ingress, stateListener, stores, clock, PortalCoordinator.NONE);
    }
}
