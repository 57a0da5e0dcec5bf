package org.bridgeappliance.admin.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Set;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.NetworkRoomDto;
import org.bridgeappliance.admin.api.Dtos.NetworkRoomsDto;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms of one network for the UI's room pickers, answered by that network's adapter through its optional
 * {@link RoomListing} capability. Adapters without it answer {@code supported: false}: the admin types the
 * address, which room mapping validation then checks.
 */
@Controller(AdminApi.BASE + "/networks")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "rooms", description = "Room mappings (bridged rooms and their portals)")
public class NetworkRoomController {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkRoomController.class);
    private final List<ProtocolAdapter> adapters;
    private final BridgeStatus status;

    public NetworkRoomController(List<ProtocolAdapter> adapters, BridgeStatus status) {
        this.adapters = adapters;
        this.status = status;
    }

    @Get("/{network}/rooms")
    @Operation(operationId = "listNetworkRooms", summary = "Rooms on one network whose address or name contains q,"
            + " as its adapter finds them (XMPP: the MUC service's disco#items; Matrix: the public directory and the"
            + " bot's joined rooms); error is set when the network could not be asked now")
    public NetworkRoomsDto rooms(@PathVariable String network, @QueryValue(defaultValue = "") String q,
                                 @QueryValue(defaultValue = "50") int limit) {
        Set<Network> known = status.adapterStates().keySet();
        Network net = Inputs.network("network", network, known);
        if (q.length() > Paging.MAX_QUERY) {
            throw ApiException.badRequest("q", "q is longer than " + Paging.MAX_QUERY + " characters");
        }
        Inputs.range("limit", limit, 1, RoomListing.MAX_LIMIT);
        RoomListing listing = adapters.stream().filter(a -> a.network().equals(net))
                .filter(RoomListing.class::isInstance).map(RoomListing.class::cast).findFirst().orElse(null);
        if (listing == null) {
            return new NetworkRoomsDto(net.value(), false, List.of(), null);
        }
        try {
            List<NetworkRoomDto> rooms = listing.listRooms(q.strip(), limit).stream()
                    .limit(limit)
                    .map(r -> new NetworkRoomDto(net.value(), r.room().value(), r.name().orElse(null),
                            r.topic().orElse(null), r.members().isPresent() ? r.members().getAsInt() : null))
                    .toList();
            return new NetworkRoomsDto(net.value(), true, rooms, null);
        } catch (RoomListing.RoomListingException e) {
            LOG.info("listing rooms of {} failed: {}", net, e.getMessage());
            return new NetworkRoomsDto(net.value(), true, List.of(), e.getMessage());
        }
    }
}
