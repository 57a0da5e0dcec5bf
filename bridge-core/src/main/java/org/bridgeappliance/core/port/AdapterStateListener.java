package org.bridgeappliance.core.port;

import org.bridgeappliance.core.id.Network;

/** Receives adapter health changes; called from the adapter's own threads, must not block. */
@FunctionalInterface
public interface AdapterStateListener {
    void stateChanged(Network network, AdapterState state);
}
