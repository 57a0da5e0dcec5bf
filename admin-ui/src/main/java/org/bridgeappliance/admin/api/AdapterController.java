package org.bridgeappliance.admin.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.Properties;
import java.util.Map;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.AdapterStateDto;
import org.bridgeappliance.admin.api.Dtos.AdaptersDto;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.OutboxStore;

/** The health of every adapter (disabled ones included) and the router's counters. */
@Controller(AdminApi.BASE + "/adapters")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "adapters", description = "Adapter states and router metrics")
public class AdapterController {
    private static final String VERSION = readVersion();
    private final BridgeStatus status;
    private final OutboxStore outbox;

    public AdapterController(BridgeStatus status, BridgeStores stores) {
        this.status = status;
        this.outbox = stores.outbox();
    }

    @Get
    @Operation(operationId = "getAdapters", summary = "State of every adapter, sorted by network, the router's metrics, uptime, version and outbox depth")
    public AdaptersDto adapters() {
        var adapters = status.adapterStates().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(n -> n.value())))
                .map(e -> new AdapterStateDto(e.getKey().value(), e.getValue().status().name(), e.getValue().detail(),
                        e.getValue().since().toString()))
                .toList();
        return new AdaptersDto(adapters, status.metrics(),
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000, VERSION, (int) Math.min(Integer.MAX_VALUE, outbox.countPending()));
    }

    /** The build's version, written into a resource by Maven (resource filtering in admin-ui/pom.xml). */
    private static String readVersion() {
        Properties p = new Properties();
        try (InputStream in = AdapterController.class.getResourceAsStream("/bridge-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
