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
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.port.PortalMembers;
import org.bridgeappliance.core.port.ProtocolAdapter;

/**
 * Members of room portals that the bridge itself keeps ({@link PortalMembers}: today the SIP adapter's room URIs,
 * whose members are the phones that get the room's messages). Networks without it answer 404. The room is a query
 * parameter (its address holds {@code @} and {@code :}); the adapter validates room and user addresses.
 */
@Controller(AdminApi.BASE + "/networks/{network}/members")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class PortalMemberController {
    private static final int MAX_ADDRESS = 1024;
    private final List<ProtocolAdapter> adapters;
    private final BridgeStatus status;
    private final Auditor auditor;

    public PortalMemberController(List<ProtocolAdapter> adapters, BridgeStatus status, Auditor auditor) {
        this.adapters = adapters;
        this.status = status;
        this.auditor = auditor;
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "The members of one room portal")
    public record PortalMembersDto(String network, String room, List<String> members) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "A member to add to a room portal")
    public record AddPortalMemberRequest(@Nullable String room, @Nullable String user) {
    }

    @Get
    @Operation(operationId = "listPortalMembers", summary = "The members the bridge keeps for one room portal (SIP:"
            + " the phones that receive the room's messages)")
    @ApiResponse(responseCode = "404", description = "the network keeps no portal members")
    public PortalMembersDto list(@PathVariable String network, @QueryValue String room) {
        PortalMembers members = membersOf(network);
        String r = address("room", room);
        return new PortalMembersDto(network, r, call(() -> members.members(RemoteRoomId.of(r))));
    }

    @Post
    @Operation(operationId = "addPortalMember", summary = "Add a member to a room portal (SIP: the phone is told)")
    @ApiResponse(responseCode = "201", description = "added")
    @ApiResponse(responseCode = "200", description = "already a member")
    public HttpResponse<PortalMembersDto> add(@PathVariable String network, @Nullable @Body AddPortalMemberRequest body,
                                              HttpRequest<?> request) {
        PortalMembers members = membersOf(network);
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {room, user} is required");
        }
        String room = address("room", body.room());
        String user = address("user", body.user());
        Optional<String> added = call(() -> members.addMember(RemoteRoomId.of(room), RemoteUserId.of(user)));
        PortalMembersDto now = new PortalMembersDto(network, room, call(() -> members.members(RemoteRoomId.of(room))));
        if (added.isEmpty()) {
            return HttpResponse.ok(now);
        }
        auditor.record(RoomMappingController.actor(request), "portal.member.add", network + ":" + room, added.get());
        return HttpResponse.created(now);
    }

    @Delete
    @Operation(operationId = "removePortalMember", summary = "Remove a member from a room portal")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "not a member, or the network keeps no portal members")
    public HttpResponse<Void> remove(@PathVariable String network, @QueryValue String room, @QueryValue String user,
                                     HttpRequest<?> request) {
        PortalMembers members = membersOf(network);
        String r = address("room", room);
        String u = address("user", user);
        if (!call(() -> members.removeMember(RemoteRoomId.of(r), RemoteUserId.of(u)))) {
            throw ApiException.notFound(Inputs.abbreviate(u) + " is not a member of " + Inputs.abbreviate(r));
        }
        auditor.record(RoomMappingController.actor(request), "portal.member.remove", network + ":" + r, u);
        return HttpResponse.noContent();
    }

    private PortalMembers membersOf(String network) {
        return capability(adapters, status, network, PortalMembers.class, "keeps no room portal members");
    }

    /** The adapter of {@code network} as a {@code type} capability; 404 "{network} {missing}" without it. */
    static <T> T capability(List<ProtocolAdapter> adapters, BridgeStatus status, String network, Class<T> type,
                            String missing) {
        Network net = Inputs.network("network", network, status.adapterStates().keySet());
        return adapters.stream().filter(a -> a.network().equals(net)).filter(type::isInstance).map(type::cast)
                .findFirst().orElseThrow(() -> ApiException.notFound(net.value() + " " + missing));
    }

    static String address(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (value.length() > MAX_ADDRESS) {
            throw ApiException.badRequest(field, field + " is longer than " + MAX_ADDRESS + " characters");
        }
        return value.strip();
    }

    /** Runs an adapter call; its {@link IllegalArgumentException} (a bad address) becomes a 400. */
    static <T> T call(java.util.function.Supplier<T> adapterCall) {
        try {
            return adapterCall.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(null, e.getMessage());
        }
    }
}
