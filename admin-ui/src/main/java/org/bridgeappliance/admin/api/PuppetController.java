package org.bridgeappliance.admin.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.api.Dtos.PuppetDto;
import org.bridgeappliance.admin.api.Dtos.PuppetPage;
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

    public PuppetController(BridgeStores stores) {
        this.puppets = stores.puppets();
    }

    @Get
    @Operation(operationId = "searchPuppets", summary = "Search puppets by person id, puppet id or display name (case-insensitive), newest first")
    public PuppetPage search(@QueryValue(defaultValue = "") String q, @QueryValue(defaultValue = "0") int offset,
                             @QueryValue(defaultValue = "50") int limit) {
        if (q.length() > 200) {
            throw ApiException.badRequest("q", "q is longer than 200 characters");
        }
        Inputs.range("offset", offset, 0, MAX_OFFSET);
        Inputs.range("limit", limit, 1, MAX_LIMIT);
        String query = q.strip();
        return new PuppetPage(puppets.search(query, offset, limit).stream().map(PuppetDto::of).toList(),
                query, offset, limit);
    }
}
