package org.bridgeappliance.admin.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.api.Dtos.AuditEntryDto;
import org.bridgeappliance.admin.api.Dtos.AuditPage;
import org.bridgeappliance.mapping.AuditLog;

/** The audit log of admin actions, newest first. */
@Controller(AdminApi.BASE + "/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "audit", description = "Who changed what")
public class AuditController {
    private final AuditLog log;

    public AuditController(AuditLog log) {
        this.log = log;
    }

    @Get
    @Operation(operationId = "listAudit", summary = "Recent admin actions, newest first")
    public AuditPage recent(@QueryValue(defaultValue = "0") int offset, @QueryValue(defaultValue = "100") int limit) {
        Inputs.range("offset", offset, 0, PuppetController.MAX_OFFSET);
        Inputs.range("limit", limit, 1, 500);
        return new AuditPage(log.recent(offset, limit).stream().map(AuditEntryDto::of).toList(), offset, limit);
    }
}
