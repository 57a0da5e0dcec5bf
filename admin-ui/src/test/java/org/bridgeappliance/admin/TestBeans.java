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
    /** When the adapters' states below were reached. */
    static final Instant SINCE = Instant.parse("2026-01-01T00:00:00Z");
    /** The adapters' states (a test may change one and must put it back). */
    static final Map<Network, AdapterState> STATES = new LinkedHashMap<>();

    static {
        STATES.put(Network.of("xmpp"), new AdapterState(AdapterState.Status.CONNECTED, "connected", SINCE));
        STATES.put(Network.of("matrix"), new AdapterState(AdapterState.Status.DISABLED, "disabled", SINCE));
        STATES.put(Network.of("sip"), new AdapterState(AdapterState.Status.DISABLED, "disabled", SINCE));
    }

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
                synchronized (STATES) {
                    return new LinkedHashMap<>(STATES);
                }
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
