package org.bridgeappliance.admin;

import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.router.DeliveryActivity;

/**
 * What the admin API needs to know about the running bridge. The composition root implements it
 * over the core router; keeping it a port lets the admin API be tested without starting adapters.
 *
 * <p>Called on the HTTP server's blocking worker threads; both methods must be cheap and must not
 * block on network I/O.
 */
public interface BridgeStatus {

    /**
     * The current state of every adapter the appliance contains, disabled ones included. Its key
     * set is also the set of networks room mappings and identity links may name.
     */
    Map<Network, AdapterState> adapterStates();

    /**
     * The router's counters as plain name/value pairs (numbers, strings or booleans), for display.
     * Never contains secrets.
     */
    Map<String, Object> metrics();

    /**
     * Every network's address rules, as its adapter declares them (room mappings and identity links are
     * checked and normalised by them). Cheap, never blocks. The default knows no network's rules, so every
     * address gets only the generic checks; the composition root returns the router's.
     */
    default Addressing addressing() {
        return Addressing.NONE;
    }

    /**
     * What the router delivered recently (per-minute series, every room's last delivery and failure), when this
     * appliance keeps track of it. Cheap, never blocks; the composition root returns the router's.
     */
    default Optional<DeliveryActivity> activity() {
        return Optional.empty();
    }
}
