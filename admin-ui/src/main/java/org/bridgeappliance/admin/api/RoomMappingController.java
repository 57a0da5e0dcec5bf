package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.PortalDto;
import org.bridgeappliance.admin.api.Dtos.RoomMappingDto;
import org.bridgeappliance.admin.api.Dtos.RoomMappingRequest;
import org.bridgeappliance.admin.auth.AdminPrincipal;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.RoomDirectory;
import org.bridgeappliance.core.store.StoreConflictException;

/** Room mappings: which rooms on which networks form one bridged conversation. */
@Controller(AdminApi.BASE + "/rooms")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class RoomMappingController {
    private final RoomDirectory rooms;
    private final BridgeStatus status;
    private final Auditor auditor;

    public RoomMappingController(BridgeStores stores, BridgeStatus status, Auditor auditor) {
        this.rooms = stores.rooms();
        this.status = status;
        this.auditor = auditor;
    }

    @Get
    @Operation(operationId = "listRooms", summary = "Every room mapping")
    public List<RoomMappingDto> list() {
        return rooms.all().stream().map(RoomMappingDto::of).toList();
    }

    @Get("/{id}")
    @Operation(operationId = "getRoom", summary = "One room mapping")
    @ApiResponse(responseCode = "404", description = "no such mapping")
    public RoomMappingDto get(@PathVariable String id) {
        return RoomMappingDto.of(find(id));
    }

    @Post
    @Status(HttpStatus.CREATED)
    @Operation(operationId = "createRoom", summary = "Create a room mapping")
    @ApiResponse(responseCode = "201", description = "created")
    @ApiResponse(responseCode = "400", description = "invalid field (named in the body)")
    @ApiResponse(responseCode = "409", description = "a portal is already in another mapping")
    public RoomMappingDto create(@Nullable @Body RoomMappingRequest body, HttpRequest<?> request) {
        Valid valid = validate(body, null);
        BridgedRoom created;
        try {
            created = rooms.create(valid.name(), valid.portals(), valid.enabled());
        } catch (StoreConflictException e) {
            throw ApiException.conflict(e.getMessage());
        }
        auditor.record(actor(request), "room.create", "room:" + created.id(), describe(created));
        return RoomMappingDto.of(created);
    }

    @Put("/{id}")
    @Operation(operationId = "updateRoom", summary = "Replace name, enabled flag and portals of a room mapping")
    @ApiResponse(responseCode = "404", description = "no such mapping")
    @ApiResponse(responseCode = "409", description = "a portal is already in another mapping")
    public RoomMappingDto update(@PathVariable String id, @Nullable @Body RoomMappingRequest body,
                                 HttpRequest<?> request) {
        BridgedRoom existing = find(id);
        Valid valid = validate(body, existing.id());
        BridgedRoom updated;
        try {
            updated = rooms.update(new BridgedRoom(existing.id(), valid.name(), valid.portals(), valid.enabled()));
        } catch (StoreConflictException e) {
            throw ApiException.conflict(e.getMessage());
        } catch (NoSuchElementException e) {
            throw ApiException.notFound("no room mapping " + Inputs.abbreviate(id));
        }
        auditor.record(actor(request), "room.update", "room:" + updated.id(), describe(updated));
        return RoomMappingDto.of(updated);
    }

    @Delete("/{id}")
    @Operation(operationId = "deleteRoom", summary = "Delete a room mapping (message history stays)")
    @ApiResponse(responseCode = "204", description = "deleted")
    @ApiResponse(responseCode = "404", description = "no such mapping")
    public HttpResponse<Void> delete(@PathVariable String id, HttpRequest<?> request) {
        BridgedRoom existing = find(id);
        if (!rooms.delete(existing.id())) {
            throw ApiException.notFound("no room mapping " + Inputs.abbreviate(id));
        }
        auditor.record(actor(request), "room.delete", "room:" + existing.id(), describe(existing));
        return HttpResponse.noContent();
    }

    private BridgedRoom find(String id) {
        Optional<BridgedRoom> room = Optional.empty();
        if (id != null && !id.isBlank() && id.length() <= 128) {
            room = rooms.find(RoomId.of(id));
        }
        return room.orElseThrow(() -> ApiException.notFound("no room mapping " + Inputs.abbreviate(String.valueOf(id))));
    }

    private record Valid(String name, boolean enabled, List<Portal> portals) {
    }

    private Valid validate(RoomMappingRequest body, RoomId self) {
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {name, enabled, portals} is required");
        }
        String name = Inputs.text("name", body.name(), Inputs.MAX_NAME);
        if (body.portals() == null || body.portals().isEmpty()) {
            throw ApiException.badRequest("portals", "portals must list at least one {network, room}");
        }
        if (body.portals().size() > Inputs.MAX_PORTALS) {
            throw ApiException.badRequest("portals", "at most " + Inputs.MAX_PORTALS + " portals");
        }
        Set<Network> known = status.adapterStates().keySet();
        Set<Network> seen = new HashSet<>();
        List<Portal> portals = new ArrayList<>();
        for (int i = 0; i < body.portals().size(); i++) {
            PortalDto p = body.portals().get(i);
            String prefix = "portals[" + i + "]";
            if (p == null) {
                throw ApiException.badRequest(prefix, prefix + " must be an object {network, room}");
            }
            Network network = Inputs.network(prefix + ".network", p.network(), known);
            if (!seen.add(network)) {
                throw ApiException.badRequest(prefix + ".network",
                        "a room mapping has at most one portal per network; " + network + " appears twice");
            }
            String room = Inputs.room(prefix + ".room", status.addressing(), network, p.room());
            portals.add(new Portal(network, RemoteRoomId.of(room)));
        }
        // Checked here for a clear message; the store's unique constraint still decides under races.
        for (Portal portal : portals) {
            rooms.findByPortal(portal).filter(other -> !other.id().equals(self)).ifPresent(other -> {
                throw ApiException.conflict("portal " + portal + " is already in room mapping '" + other.name()
                        + "' (" + other.id() + ")");
            });
        }
        return new Valid(name, body.enabled() == null || body.enabled(), portals);
    }

    static String actor(HttpRequest<?> request) {
        return AdminPrincipal.require(request).username();
    }

    private static String describe(BridgedRoom room) {
        return "name=" + room.name() + ", enabled=" + room.enabled() + ", portals="
                + room.portals().stream().map(Portal::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
