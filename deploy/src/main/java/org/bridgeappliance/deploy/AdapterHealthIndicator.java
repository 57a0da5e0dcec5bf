package org.bridgeappliance.deploy;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.core.port.AdapterState;
import org.reactivestreams.Publisher;

/**
 * Adapter states in {@code GET /health} (and {@code /health/readiness}): each adapter's status, the
 * reason and since when; adapter details never contain secrets (ProtocolAdapter's contract).
 *
 * <p>DOWN only when an adapter is FAILED, i.e. needs an admin (bad credentials, configuration
 * error): a disabled, starting or reconnecting adapter leaves the appliance UP, since restarting
 * the process would not help those. It is a readiness check, not a liveness one, so that an
 * orchestrator does not restart the appliance in a loop over a wrong password.
 */
@Singleton
@Readiness
public class AdapterHealthIndicator implements HealthIndicator {
    private final BridgeStatus status;

    public AdapterHealthIndicator(BridgeStatus status) {
        this.status = status;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean failed = false;
        for (Map.Entry<org.bridgeappliance.core.id.Network, AdapterState> e : status.adapterStates().entrySet()) {
            AdapterState state = e.getValue();
            failed |= state.status() == AdapterState.Status.FAILED;
            details.put(e.getKey().value(), Map.of("status", state.status().name(), "detail", state.detail(),
                    "since", state.since().toString()));
        }
        return Publishers.just(HealthResult.builder("adapters", failed ? HealthStatus.DOWN : HealthStatus.UP)
                .details(details).build());
    }
}
