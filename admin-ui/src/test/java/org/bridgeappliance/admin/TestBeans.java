package org.bridgeappliance.admin;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.router.DeliveryActivity;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.mapping.AdminUserStore;
import org.bridgeappliance.mapping.AuditLog;
import org.bridgeappliance.mapping.MappingDatabase;
import org.bridgeappliance.mapping.PasswordHasher;

/**
 * The beans the deploy module's composition root provides, for the admin API's tests: the real
 * mapping module on an H2 file in {@code bridge.data-dir}, and a fixed adapter status with the
 * three networks of the appliance (xmpp connected, matrix and sip disabled) with stand-ins for their
 * address syntaxes ({@link StandInAddressing}).
 */
@Factory
public class TestBeans {
    /** The router's activity as the tests make it up (the status below answers with it). */
    static final DeliveryActivity ACTIVITY = new DeliveryActivity();

    @Singleton
    @Bean(preDestroy = "close")
    MappingDatabase database(@Value("${bridge.data-dir}") String dataDir, AdminConfig config) {
        return MappingDatabase.openH2File(Path.of(dataDir), new PasswordHasher(config.getPasswordIterations()));
    }

    @Singleton
    BridgeStores stores(MappingDatabase db) {
        return db.stores();
    }

    @Singleton
    AdminUserStore adminUsers(MappingDatabase db) {
        return db.adminUsers();
    }

    @Singleton
    AuditLog auditLog(MappingDatabase db) {
        return db.auditLog();
    }

    @Singleton
    BridgeStatus status() {
        return new BridgeStatus() {
            @Override
            public Map<Network, AdapterState> adapterStates() {
                Map<Network, AdapterState> map = new LinkedHashMap<>();
                Instant since = Instant.parse("2026-01-01T00:00:00Z");
                map.put(Network.of("xmpp"), new AdapterState(AdapterState.Status.CONNECTED, "connected", since));
                map.put(Network.of("matrix"), new AdapterState(AdapterState.Status.DISABLED, "disabled", since));
                map.put(Network.of("sip"), new AdapterState(AdapterState.Status.DISABLED, "disabled", since));
                return map;
            }

            @Override
            public Map<String, Object> metrics() {
                return Map.of("accepted", 3L, "delivered", 2L);
            }

            @Override
            public Addressing addressing() {
                return StandInAddressing.INSTANCE;
            }

            @Override
            public Optional<DeliveryActivity> activity() {
                return Optional.of(ACTIVITY);
            }
        };
    }
}
