package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.api.Dtos.AuditEntryDto;
import org.bridgeappliance.admin.api.Dtos.AuditPage;
import org.bridgeappliance.mapping.AuditLog;

/** The audit log of admin actions, newest first, filtered by admin, action, target and time. */
@Controller(AdminApi.BASE + "/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "audit", description = "Who changed what")
public class AuditController {
    private final AuditLog log;

    public AuditController(AuditLog log) {
        this.log = log;
    }

    @Get
    @Operation(operationId = "listAudit", summary = "Admin actions, newest first; actor and action match exactly,"
            + " target by substring, from/to are ISO-8601 instants (inclusive/exclusive)")
    public AuditPage recent(@QueryValue(defaultValue = "0") int offset, @QueryValue(defaultValue = "100") int limit,
                            @Nullable @QueryValue String actor, @Nullable @QueryValue String action,
                            @Nullable @QueryValue String target,
                            @Nullable @QueryValue @Parameter(example = "2026-01-01T00:00:00Z") String from,
                            @Nullable @QueryValue String to) {
        Inputs.range("offset", offset, 0, PuppetController.MAX_OFFSET);
        Inputs.range("limit", limit, 1, 500);
        String actorIs = blankToNull(actor);
        String actionIs = blankToNull(action);
        String targetHas = blankToNull(target) == null ? null : target.strip();
        Instant after = instant("from", from);
        Instant before = instant("to", to);
        AuditLog.Filter filter = new AuditLog.Filter(actorIs, actionIs, targetHas, after, before);
        long total = log.count(filter);
        List<AuditEntryDto> page = log.search(filter, offset, limit).stream().map(AuditEntryDto::of).toList();
        return new AuditPage(page, offset, limit, (int) Math.min(Integer.MAX_VALUE, total), true);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : Inputs.text("filter", s, 1024);
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, field + " must be an ISO-8601 instant like 2026-01-01T00:00:00Z");
        }
    }
}
