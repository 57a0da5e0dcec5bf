package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.PuppetDto;
import org.bridgeappliance.admin.api.Dtos.PuppetPage;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.PuppetStore;

/** Puppets: the stand-ins of people on networks that are not their own. Read-only (the bridge manages them). */
@Controller(AdminApi.BASE + "/puppets")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "puppets", description = "Puppeted users")
public class PuppetController {
    static final int MAX_LIMIT = 200;
    static final int MAX_OFFSET = 1_000_000;
    private final PuppetStore puppets;
    private final BridgeStatus status;

    public PuppetController(BridgeStores stores, BridgeStatus status) {
        this.puppets = stores.puppets();
        this.status = status;
    }

    @Get
    @Operation(operationId = "searchPuppets", summary = "Search puppets by person id, puppet id or display name"
            + " (case-insensitive), optionally only those on one network, newest first, with the number of matches")
    public PuppetPage search(@QueryValue(defaultValue = "") String q, @Nullable @QueryValue String network,
                             @QueryValue(defaultValue = "0") int offset, @QueryValue(defaultValue = "50") int limit) {
        Paging paging = Paging.of(q, offset, limit, MAX_LIMIT);
        Set<Network> known = status.adapterStates().keySet();
        Network only = network == null || network.isBlank() ? null : Inputs.network("network", network, known);
        Optional<Network> on = Optional.ofNullable(only);
        long total = puppets.count(paging.q(), on);
        List<PuppetDto> page = puppets.search(paging.q(), on, paging.offset(), paging.limit()).stream()
                .map(PuppetDto::of).toList();
        return new PuppetPage(page, paging.q(), only == null ? null : only.value(), paging.offset(), paging.limit(),
                (int) Math.min(Integer.MAX_VALUE, total), true);
    }
}
