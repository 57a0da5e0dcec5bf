package org.bridgeappliance.core.port;

import java.time.Clock;
import java.util.Objects;
import org.bridgeappliance.core.store.BridgeStores;

/**
 * What the appliance hands an adapter at start: where to submit inbound events, where to report
 * its health, and the stores it may read and write.
 */
public record AdapterContext(EventIngress ingress, AdapterStateListener stateListener, BridgeStores stores,
                             Clock clock) {
    public AdapterContext {
        Objects.requireNonNull(ingress, "ingress");
        Objects.requireNonNull(stateListener, "stateListener");
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(clock, "clock");
    }
}
