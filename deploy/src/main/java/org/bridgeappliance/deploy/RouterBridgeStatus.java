package org.bridgeappliance.deploy;

import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.adapter.sip.SipAdapter;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.router.DeliveryActivity;
import org.bridgeappliance.core.router.Router;

/** The admin API's and the health endpoint's view of the running router (and the SIP adapter's counters). */
@Singleton
public class RouterBridgeStatus implements BridgeStatus {
    private final Router router;
    private final SipAdapter sip;

    public RouterBridgeStatus(Router router, SipAdapter sip) {
        this.router = router;
        this.sip = sip;
    }

    @Override
    public Map<Network, AdapterState> adapterStates() {
        return router.adapterStates();
    }

    @Override
    public Addressing addressing() {
        return router.addressing();
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> metrics = new LinkedHashMap<>(router.metrics().snapshot());
        metrics.putAll(sip.counters());
        return metrics;
    }

    @Override
    public Optional<DeliveryActivity> activity() {
        return Optional.of(router.metrics().activity());
    }
}
