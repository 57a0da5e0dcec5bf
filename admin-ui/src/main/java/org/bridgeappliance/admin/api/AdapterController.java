package org.bridgeappliance.admin.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Comparator;
import java.util.Map;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.AdapterStateDto;
import org.bridgeappliance.admin.api.Dtos.AdaptersDto;

/** The health of every adapter (disabled ones included) and the router's counters. */
@Controller(AdminApi.BASE + "/adapters")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "adapters", description = "Adapter states and router metrics")
public class AdapterController {
    private final BridgeStatus status;

    public AdapterController(BridgeStatus status) {
        this.status = status;
    }

    @Get
    @Operation(operationId = "getAdapters", summary = "State of every adapter, sorted by network, and the router's metrics")
    public AdaptersDto adapters() {
        var adapters = status.adapterStates().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(n -> n.value())))
                .map(e -> new AdapterStateDto(e.getKey().value(), e.getValue().status().name(), e.getValue().detail(),
                        e.getValue().since().toString()))
                .toList();
        return new AdaptersDto(adapters, status.metrics());
    }
}
