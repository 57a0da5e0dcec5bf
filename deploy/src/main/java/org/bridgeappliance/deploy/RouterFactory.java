package org.bridgeappliance.deploy;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.portal.DefaultPortalCoordinator;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.BridgeStores;

/**
 * Builds the core router over the JDBC stores and every {@link ProtocolAdapter} bean (each adapter
 * module contributes one, enabled or not; none at all is fine). Starting and stopping it is
 * {@link RouterLifecycle}'s job.
 */
@Factory
public class RouterFactory {

    @Singleton
    Router router(BridgeStores stores, List<ProtocolAdapter> adapters) {
        return new Router(stores, adapters, RouterConfig.defaults(), Clock.systemUTC(),
                new DefaultPortalCoordinator(stores.rooms(), adapters));
    }
}
