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
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.IdentityLinkDto;
import org.bridgeappliance.admin.api.Dtos.IdentityLinkPage;
import org.bridgeappliance.admin.api.Dtos.IdentityLinkRequest;
import org.bridgeappliance.admin.api.Dtos.UserRefDto;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.IdentityLink;
import org.bridgeappliance.core.store.IdentityLinkStore;
import org.bridgeappliance.core.store.StoreConflictException;

/** Identity links: two accounts on different networks declared to be the same person. */
@Controller(AdminApi.BASE + "/identity-links")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "identity-links", description = "Accounts of one person on two networks")
public class IdentityLinkController {
    private final IdentityLinkStore links;
    private final BridgeStatus status;
    private final Auditor auditor;

    public IdentityLinkController(BridgeStores stores, BridgeStatus status, Auditor auditor) {
        this.links = stores.identities();
        this.status = status;
        this.auditor = auditor;
    }

    @Get
    @Operation(operationId = "listIdentityLinks", summary = "Identity links with an account address or network"
            + " containing q (case-insensitive), newest first, one page at a time")
    public IdentityLinkPage list(@QueryValue(defaultValue = "") String q, @QueryValue(defaultValue = "0") int offset,
                                 @QueryValue(defaultValue = "50") int limit) {
        Paging paging = Paging.of(q, offset, limit, PuppetController.MAX_LIMIT);
        String needle = paging.needle();
        List<IdentityLink> matching = links.all().stream()
                .filter(l -> needle.isEmpty() || matches(l.first(), needle) || matches(l.second(), needle))
                .sorted(Comparator.comparingLong(IdentityLink::id).reversed())
                .toList();
        return new IdentityLinkPage(paging.page(matching).stream().map(IdentityLinkDto::of).toList(), paging.q(),
                paging.offset(), paging.limit(), matching.size());
    }

    private static boolean matches(UserRef ref, String needle) {
        return ref.user().value().toLowerCase(Locale.ROOT).contains(needle) || ref.network().value().equals(needle);
    }

    @Post
    @Status(HttpStatus.CREATED)
    @Operation(operationId = "createIdentityLink", summary = "Link two accounts of one person on two different networks")
    @ApiResponse(responseCode = "201", description = "created")
    @ApiResponse(responseCode = "400", description = "invalid field (named in the body)")
    @ApiResponse(responseCode = "409", description = "an account is already linked on the other's network")
    public IdentityLinkDto create(@Nullable @Body IdentityLinkRequest body, HttpRequest<?> request) {
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {first, second} is required");
        }
        Set<Network> known = status.adapterStates().keySet();
        UserRef first = user("first", body.first(), known, status.addressing());
        UserRef second = user("second", body.second(), known, status.addressing());
        if (first.network().equals(second.network())) {
            throw ApiException.badRequest("second.network", "an identity link joins accounts on two different networks");
        }
        IdentityLink link;
        try {
            link = links.link(first, second);
        } catch (StoreConflictException e) {
            throw ApiException.conflict(e.getMessage());
        }
        auditor.record(RoomMappingController.actor(request), "identity-link.create", "identity-link:" + link.id(),
                first + " = " + second);
        return IdentityLinkDto.of(link);
    }

    @Delete("/{id}")
    @Operation(operationId = "deleteIdentityLink", summary = "Remove an identity link")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "no such link")
    public HttpResponse<Void> delete(@PathVariable long id, HttpRequest<?> request) {
        IdentityLink existing = links.all().stream().filter(l -> l.id() == id).findFirst()
                .orElseThrow(() -> ApiException.notFound("no identity link " + id));
        if (!links.unlink(id)) {
            throw ApiException.notFound("no identity link " + id);
        }
        auditor.record(RoomMappingController.actor(request), "identity-link.delete", "identity-link:" + id,
                existing.first() + " = " + existing.second());
        return HttpResponse.noContent();
    }

    private static UserRef user(String field, UserRefDto dto, Set<Network> known, Addressing addressing) {
        if (dto == null) {
            throw ApiException.badRequest(field, field + " must be an object {network, user}");
        }
        Network network = Inputs.network(field + ".network", dto.network(), known);
        String user = Inputs.user(field + ".user", addressing, network, dto.user());
        return new UserRef(network, RemoteUserId.of(user));
    }
}
