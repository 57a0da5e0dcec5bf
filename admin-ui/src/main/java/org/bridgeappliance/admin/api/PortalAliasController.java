package org.bridgeappliance.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
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
import org.bridgeappliance.core.port.PortalAliases;
import org.bridgeappliance.core.port.ProtocolAdapter;

/**
 * Numeric aliases of room portals ({@link PortalAliases}: today SIP room URIs, so desk phones can dial a room).
 * Networks without it answer 404. The room is a query parameter or body field (its address holds {@code @}).
 */
@Controller(AdminApi.BASE + "/networks/{network}/aliases")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class PortalAliasController {
    private final List<ProtocolAdapter> adapters;
    private final BridgeStatus status;
    private final Auditor auditor;

    public PortalAliasController(List<ProtocolAdapter> adapters, BridgeStatus status, Auditor auditor) {
        this.adapters = adapters;
        this.status = status;
        this.auditor = auditor;
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "A room portal's numeric alias (null: none)")
    public record PortalAliasDto(String network, String room, @Nullable String alias) {
    }

    @Get
    @Operation(operationId = "getPortalAlias", summary = "The numeric alias of a room portal (SIP: what a keypad dials)")
    @ApiResponse(responseCode = "404", description = "the network has no room aliases")
    public PortalAliasDto get(@PathVariable String network, @QueryValue String room) {
        PortalAliases aliases = aliasesOf(network);
        String r = PortalMemberController.address("room", room);
        return new PortalAliasDto(network, r, PortalMemberController.call(() -> aliases.alias(RemoteRoomId.of(r)))
                .orElse(null));
    }

    @Put
    @Operation(operationId = "setPortalAlias", summary = "Give a room portal a numeric alias (replaces its old one)")
    @ApiResponse(responseCode = "409", description = "another room has that alias")
    public PortalAliasDto set(@PathVariable String network, @Nullable @Body PortalAliasDto body, HttpRequest<?> request) {
        PortalAliases aliases = aliasesOf(network);
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {room, alias} is required");
        }
        String room = PortalMemberController.address("room", body.room());
        String alias = PortalMemberController.address("alias", body.alias());
        if (!PortalMemberController.call(() -> aliases.setAlias(RemoteRoomId.of(room), alias))) {
            throw ApiException.conflict("another room has the alias " + Inputs.abbreviate(alias));
        }
        auditor.record(RoomMappingController.actor(request), "portal.alias.set", network + ":" + room, alias);
        return new PortalAliasDto(network, room, alias);
    }

    @Delete
    @Operation(operationId = "removePortalAlias", summary = "Remove a room portal's numeric alias")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "the room has no alias, or the network has no room aliases")
    public HttpResponse<Void> remove(@PathVariable String network, @QueryValue String room, HttpRequest<?> request) {
        PortalAliases aliases = aliasesOf(network);
        String r = PortalMemberController.address("room", room);
        if (!PortalMemberController.call(() -> aliases.removeAlias(RemoteRoomId.of(r)))) {
            throw ApiException.notFound(Inputs.abbreviate(r) + " has no alias");
        }
        auditor.record(RoomMappingController.actor(request), "portal.alias.remove", network + ":" + r, "");
        return HttpResponse.noContent();
    }

    private PortalAliases aliasesOf(String network) {
        return PortalMemberController.capability(adapters, status, network, PortalAliases.class, "has no room aliases");
    }
}
