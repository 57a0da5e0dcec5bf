package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
import org.bridgeappliance.admin.api.Dtos.RoomPage;
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
    private final Object updateLock = new Object();

    public RoomMappingController(BridgeStores stores, BridgeStatus status, Auditor auditor) {
        this.rooms = stores.rooms();
        this.status = status;
        this.auditor = auditor;
    }

    @Get
    @Operation(operationId = "listRooms", summary = "Room mappings whose name, id or portal address contains q"
            + " (case-insensitive), sorted by name, one page at a time")
    public RoomPage list(@QueryValue(defaultValue = "") String q, @QueryValue(defaultValue = "0") int offset,
                         @QueryValue(defaultValue = "50") int limit) {
        Paging paging = Paging.of(q, offset, limit, PuppetController.MAX_LIMIT);
        String needle = paging.needle();
        // Mappings are made by hand (tens to a few thousand), so filtering the cached list beats a query per field.
        List<BridgedRoom> matching = rooms.all().stream()
                .filter(r -> needle.isEmpty() || matches(r, needle))
                .sorted(Comparator.comparing((BridgedRoom r) -> r.name().toLowerCase(Locale.ROOT))
                        .thenComparing(r -> r.id().value()))
                .toList();
        return new RoomPage(paging.page(matching).stream().map(RoomMappingDto::of).toList(), paging.q(),
                paging.offset(), paging.limit(), matching.size());
    }

    private static boolean matches(BridgedRoom room, String needle) {
        return room.name().toLowerCase(Locale.ROOT).contains(needle)
                || room.id().value().toLowerCase(Locale.ROOT).contains(needle)
                || room.portals().stream().anyMatch(p -> p.room().value().toLowerCase(Locale.ROOT).contains(needle));
    }

    @Get("/{id}")
    @Operation(operationId = "getRoom", summary = "One room mapping; its ETag goes in If-Match of a later PUT")
    @ApiResponse(responseCode = "200", description = "the mapping",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.ETAG, description = "version of the mapping"))
    @ApiResponse(responseCode = "404", description = "no such mapping")
    public HttpResponse<RoomMappingDto> get(@PathVariable String id) {
        return withEtag(HttpResponse.ok(), find(id));
    }

    /**
     * A strong validator of the mapping's content (RFC 9110 §8.8.3): a hash of name, enabled flag and portals.
     * Two states with equal content share a tag, which is right for If-Match: an edit based on what is stored
     * now overwrites nothing. Computed, so no version column is needed.
     */
    static String etag(BridgedRoom room) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((room.id().value() + "\n" + room.name() + "\n" + room.enabled()).getBytes(StandardCharsets.UTF_8));
            for (Portal p : room.portals()) {
                sha.update(("\n" + p.network().value() + "\n" + p.room().value()).getBytes(StandardCharsets.UTF_8));
            }
            return "\"" + HexFormat.of().formatHex(sha.digest(), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static HttpResponse<RoomMappingDto> withEtag(MutableHttpResponse<RoomMappingDto> response,
                                                         BridgedRoom room) {
        return response.header(HttpHeaders.ETAG, etag(room)).body(RoomMappingDto.of(room));
    }

    @Post
    @Operation(operationId = "createRoom", summary = "Create a room mapping")
    @ApiResponse(responseCode = "201", description = "created")
    @ApiResponse(responseCode = "400", description = "invalid field (named in the body)")
    @ApiResponse(responseCode = "409", description = "a portal is already in another mapping")
    public HttpResponse<RoomMappingDto> create(@Nullable @Body RoomMappingRequest body, HttpRequest<?> request) {
        Valid valid = validate(body, null);
        BridgedRoom created;
        try {
            created = rooms.create(valid.name(), valid.portals(), valid.enabled());
        } catch (StoreConflictException e) {
            throw ApiException.conflict(e.getMessage());
        }
        auditor.record(actor(request), "room.create", "room:" + created.id(), describe(created));
        return withEtag(HttpResponse.created(RoomMappingDto.of(created)), created);
    }

    @Put("/{id}")
    @Operation(operationId = "updateRoom", summary = "Replace name, enabled flag and portals of a room mapping;"
            + " with If-Match only if it is still the version the client read")
    @ApiResponse(responseCode = "200", description = "replaced",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = HttpHeaders.ETAG, description = "the new version"))
    @ApiResponse(responseCode = "404", description = "no such mapping")
    @ApiResponse(responseCode = "409", description = "a portal is already in another mapping")
    @ApiResponse(responseCode = "412", description = "If-Match names an older version: someone else changed it")
    public HttpResponse<RoomMappingDto> update(@PathVariable String id, @Nullable @Body RoomMappingRequest body,
                                               @Nullable @Header(HttpHeaders.IF_MATCH) String ifMatch,
                                               HttpRequest<?> request) {
        BridgedRoom updated;
        // One lock for the compare and the write, so two admins' PUTs with the same If-Match cannot both win.
        synchronized (updateLock) {
            BridgedRoom existing = find(id);
            if (ifMatch != null && !ifMatchAccepts(ifMatch, etag(existing))) {
                throw new ApiException(HttpStatus.PRECONDITION_FAILED, "room mapping '" + existing.name()
                        + "' was changed by someone else since you opened it; reload to see the current version", null);
            }
            Valid valid = validate(body, existing.id());
            try {
                updated = rooms.update(new BridgedRoom(existing.id(), valid.name(), valid.portals(), valid.enabled()));
            } catch (StoreConflictException e) {
                throw ApiException.conflict(e.getMessage());
            } catch (NoSuchElementException e) {
                throw ApiException.notFound("no room mapping " + Inputs.abbreviate(id));
            }
        }
        auditor.record(actor(request), "room.update", "room:" + updated.id(), describe(updated));
        return withEtag(HttpResponse.ok(), updated);
    }

    /** RFC 9110 §13.1.1: {@code *} or a list of entity tags; weak tags never match (strong comparison). */
    static boolean ifMatchAccepts(String header, String current) {
        for (String tag : header.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals(current)) {
                return true;
            }
        }
        return false;
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
