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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.port.PortalMembership;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.router.DeliveryActivity;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.OutboxStore;
import org.bridgeappliance.core.store.RoomDirectory;

/**
 * Per-mapping health for the room list: whether the bridge is in each portal's room (asked of the adapter through
 * its optional {@link PortalMembership} capability), the last delivery and the last failure (the router's memory
 * since its start) and the backlog (events of the room still in the outbox, an exact count).
 */
@Controller(AdminApi.BASE + "/room-health")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class RoomHealthController {
    private final RoomDirectory rooms;
    private final OutboxStore outbox;
    private final List<ProtocolAdapter> adapters;
    private final BridgeStatus status;

    public RoomHealthController(BridgeStores stores, List<ProtocolAdapter> adapters, BridgeStatus status) {
        this.rooms = stores.rooms();
        this.outbox = stores.outbox();
        this.adapters = adapters;
        this.status = status;
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PortalHealthDto(String network, String room,
                                  @Nullable @Schema(description = "the bridge is in the room; null: the adapter cannot tell")
                                  Boolean joined) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record FailureDto(String at, String network, String room, String reason) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RoomHealthDto(String id, List<PortalHealthDto> portals,
                                @Nullable @Schema(description = "ISO-8601; null: nothing delivered since the start")
                                String lastDelivery,
                                @Nullable FailureDto lastError,
                                @Schema(description = "events of this room waiting in the outbox") long backlog) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RoomHealthList(List<RoomHealthDto> rooms,
                                 @Schema(description = "false: last delivery and error are not tracked here")
                                 boolean tracked) {
    }

    @Get
    @Operation(operationId = "listRoomHealth", summary = "Every mapping's health: bridge joined on each side, last"
            + " delivery, last error (since the appliance started) and backlog")
    public RoomHealthList health() {
        Map<org.bridgeappliance.core.id.RoomId, Long> backlog = outbox.countPendingByRoom();
        Optional<DeliveryActivity> activity = status.activity();
        List<RoomHealthDto> list = rooms.all().stream().map(r -> of(r, backlog, activity)).toList();
        return new RoomHealthList(list, activity.isPresent());
    }

    private RoomHealthDto of(BridgedRoom room, Map<org.bridgeappliance.core.id.RoomId, Long> backlog,
                             Optional<DeliveryActivity> activity) {
        List<PortalHealthDto> portals = room.portals().stream()
                .map(p -> new PortalHealthDto(p.network().value(), p.room().value(), joined(p)))
                .toList();
        DeliveryActivity.RoomActivity a = activity.map(x -> x.room(room.id()))
                .orElse(new DeliveryActivity().room(room.id()));
        FailureDto error = a.lastFailure().map(f -> new FailureDto(f.at().toString(), f.target().network().value(),
                f.target().room().value(), f.reason())).orElse(null);
        return new RoomHealthDto(room.id().value(), portals, a.lastDelivery().map(Object::toString).orElse(null),
                error, backlog.getOrDefault(room.id(), 0L));
    }

    private Boolean joined(Portal portal) {
        return adapters.stream().filter(a -> a.network().equals(portal.network()))
                .filter(PortalMembership.class::isInstance).map(PortalMembership.class::cast).findFirst()
                .flatMap(m -> {
                    try {
                        return m.bridgeJoined(portal.room());
                    } catch (RuntimeException e) {
                        return Optional.empty(); // an adapter's bug must not break the room list
                    }
                })
                .orElse(null);
    }
}
