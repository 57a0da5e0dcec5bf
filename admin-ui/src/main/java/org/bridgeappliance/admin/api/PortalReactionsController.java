package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.PortalReactions;
import org.bridgeappliance.core.port.ProtocolAdapter;

/**
 * The per-room switch of reactions ({@link PortalReactions}: today SIP room portals, whose phones get reactions as
 * text notices unless it is off). Networks without it answer 404. The room is a query parameter or body field.
 */
@Controller(AdminApi.BASE + "/networks/{network}/reactions")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class PortalReactionsController {
    private final List<ProtocolAdapter> adapters;
    private final BridgeStatus status;
    private final Auditor auditor;

    public PortalReactionsController(List<ProtocolAdapter> adapters, BridgeStatus status, Auditor auditor) {
        this.adapters = adapters;
        this.status = status;
        this.auditor = auditor;
    }

    @Serdeable
    @Schema(description = "Whether a room portal gets reactions (as text notices)")
    public record PortalReactionsDto(String network, String room, @Nullable Boolean shown) {
    }

    @Get
    @Operation(operationId = "getPortalReactions", summary = "Whether a room portal gets reactions")
    @ApiResponse(responseCode = "404", description = "the network has no reactions switch")
    public PortalReactionsDto get(@PathVariable String network, @QueryValue String room) {
        PortalReactions reactions = reactionsOf(network);
        String r = PortalMemberController.address("room", room);
        return new PortalReactionsDto(network, r,
                PortalMemberController.call(() -> reactions.reactionsShown(RemoteRoomId.of(r))));
    }

    @Put
    @Operation(operationId = "setPortalReactions", summary = "Switch reactions of a room portal on or off")
    public PortalReactionsDto set(@PathVariable String network, @Nullable @Body PortalReactionsDto body,
                                  HttpRequest<?> request) {
        PortalReactions reactions = reactionsOf(network);
        if (body == null || body.shown() == null) {
            throw ApiException.badRequest("shown", "a JSON body {room, shown: true|false} is required");
        }
        String room = PortalMemberController.address("room", body.room());
        boolean shown = body.shown();
        PortalMemberController.call(() -> {
            reactions.setReactionsShown(RemoteRoomId.of(room), shown);
            return null;
        });
        auditor.record(RoomMappingController.actor(request), "portal.reactions.set", network + ":" + room,
                shown ? "shown" : "not shown");
        return new PortalReactionsDto(network, room, shown);
    }

    private PortalReactions reactionsOf(String network) {
        return PortalMemberController.capability(adapters, status, network, PortalReactions.class,
                "has no reactions switch");
    }
}
