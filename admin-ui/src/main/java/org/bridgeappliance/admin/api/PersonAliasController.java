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
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.PersonAliases;
import org.bridgeappliance.core.port.ProtocolAdapter;

/**
 * Numeric aliases of people on a network that reaches them ({@link PersonAliases}: today SIP, so a desk phone can
 * dial {@code 7001} to write to a Matrix or XMPP person). The sibling of {@link PortalAliasController}; networks
 * without it answer 404. The person is {@code personNetwork} + {@code person} (a query parameter or body field).
 */
@Controller(AdminApi.BASE + "/networks/{network}/person-aliases")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class PersonAliasController {
    private final List<ProtocolAdapter> adapters;
    private final BridgeStatus status;
    private final Auditor auditor;

    public PersonAliasController(List<ProtocolAdapter> adapters, BridgeStatus status, Auditor auditor) {
        this.adapters = adapters;
        this.status = status;
        this.auditor = auditor;
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "A person's numeric alias on a network (null: none)")
    public record PersonAliasDto(String network, String personNetwork, String person, @Nullable String alias) {
    }

    @Get
    @Operation(operationId = "getPersonAlias", summary = "The numeric alias of a person (SIP: what a keypad dials)")
    @ApiResponse(responseCode = "404", description = "the network has no person aliases")
    public PersonAliasDto get(@PathVariable String network, @QueryValue String personNetwork,
                              @QueryValue String person) {
        PersonAliases aliases = aliasesOf(network);
        UserRef p = person(personNetwork, person);
        return dto(network, p, PortalMemberController.call(() -> aliases.personAlias(p)).orElse(null));
    }

    @Put
    @Operation(operationId = "setPersonAlias", summary = "Give a person a numeric alias (replaces their old one)")
    @ApiResponse(responseCode = "409", description = "another person or a room has that alias")
    public PersonAliasDto set(@PathVariable String network, @Nullable @Body PersonAliasDto body,
                              HttpRequest<?> request) {
        PersonAliases aliases = aliasesOf(network);
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {personNetwork, person, alias} is required");
        }
        UserRef p = person(body.personNetwork(), body.person());
        String alias = PortalMemberController.address("alias", body.alias());
        if (!PortalMemberController.call(() -> aliases.setPersonAlias(p, alias))) {
            throw ApiException.conflict("another person or a room has the alias " + Inputs.abbreviate(alias));
        }
        auditor.record(RoomMappingController.actor(request), "person.alias.set", network + ":" + p, alias);
        return dto(network, p, alias);
    }

    @Delete
    @Operation(operationId = "removePersonAlias", summary = "Remove a person's numeric alias")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "the person has no alias, or the network has no person aliases")
    public HttpResponse<Void> remove(@PathVariable String network, @QueryValue String personNetwork,
                                     @QueryValue String person, HttpRequest<?> request) {
        PersonAliases aliases = aliasesOf(network);
        UserRef p = person(personNetwork, person);
        if (!PortalMemberController.call(() -> aliases.removePersonAlias(p))) {
            throw ApiException.notFound(Inputs.abbreviate(p.toString()) + " has no alias");
        }
        auditor.record(RoomMappingController.actor(request), "person.alias.remove", network + ":" + p, "");
        return HttpResponse.noContent();
    }

    private UserRef person(@Nullable String personNetwork, @Nullable String person) {
        Network net = Inputs.network("personNetwork", personNetwork, status.adapterStates().keySet());
        String user = Inputs.user("person", status.addressing(), net, person);
        return new UserRef(net, RemoteUserId.of(user));
    }

    private static PersonAliasDto dto(String network, UserRef person, @Nullable String alias) {
        return new PersonAliasDto(network, person.network().value(), person.user().value(), alias);
    }

    private PersonAliases aliasesOf(String network) {
        return PortalMemberController.capability(adapters, status, network, PersonAliases.class,
                "has no person aliases");
    }
}
