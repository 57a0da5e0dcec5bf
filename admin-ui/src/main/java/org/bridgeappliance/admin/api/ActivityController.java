package org.bridgeappliance.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.core.router.DeliveryActivity;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.OutboxStore;

/**
 * The dashboard's traffic: room events bridged per minute per network pair over the last hour, failures and
 * retries per minute, and the outbox depth (an exact count). Kept in memory by the router since its start.
 */
@Controller(AdminApi.BASE + "/activity")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "adapters", description = "Adapter states and router metrics")
public class ActivityController {
    private final BridgeStatus status;
    private final OutboxStore outbox;
    private final Clock clock = Clock.systemUTC();

    public ActivityController(BridgeStatus status, BridgeStores stores) {
        this.status = status;
        this.outbox = stores.outbox();
    }

    /** One direction of bridging and its per-minute deliveries, oldest minute first. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PairSeriesDto(String from, String to, List<Long> perMinute, long total) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ActivityDto(
            @Schema(description = "the instant the series end at; the last element of each series is its minute")
            String until,
            @Schema(description = "how many one-minute buckets each series has") int minutes,
            @Schema(description = "false when this appliance keeps no activity (every series is empty then)")
            boolean tracked,
            List<PairSeriesDto> delivered,
            @Schema(description = "deliveries given up, per minute") List<Long> failed,
            @Schema(description = "tries repeated after a transient failure, per minute") List<Long> retried,
            @Schema(description = "events waiting in the outbox (exact)") long outboxDepth) {
    }

    @Get
    @Operation(operationId = "getActivity", summary = "Room events bridged per minute per network pair over the last"
            + " hour, failures and retries per minute, and the outbox depth (the dashboard's chart)")
    public ActivityDto activity() {
        Instant now = clock.instant();
        long depth = outbox.countPending();
        @Nullable DeliveryActivity activity = status.activity().orElse(null);
        if (activity == null) {
            List<Long> zeros = java.util.Collections.nCopies(DeliveryActivity.MINUTES, 0L);
            return new ActivityDto(now.toString(), DeliveryActivity.MINUTES, false, List.of(), zeros, zeros, depth);
        }
        List<PairSeriesDto> pairs = activity.deliveredPerMinute(now).entrySet().stream()
                .map(e -> new PairSeriesDto(e.getKey().from().value(), e.getKey().to().value(),
                        e.getValue().counts(), e.getValue().total()))
                .toList();
        return new ActivityDto(now.toString(), DeliveryActivity.MINUTES, true, pairs,
                activity.failedPerMinute(now).counts(), activity.retriedPerMinute(now).counts(), depth);
    }
}
