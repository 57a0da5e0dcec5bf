package org.bridgeappliance.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.BridgeStatus;
import org.bridgeappliance.admin.api.Dtos.IdentityLinkDto;
import org.bridgeappliance.admin.api.Dtos.PuppetDto;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.port.AvatarSource;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.Puppet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One puppet in detail: the bridged rooms it spoke in, its person's identity links, and its avatar served from
 * this origin (fetched by an adapter with the {@link AvatarSource} capability), so the browser never loads an image
 * from another host.
 */
@Controller(AdminApi.BASE + "/puppets")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "puppets", description = "Puppeted users")
public class PuppetDetailController {
    private static final Logger LOG = LoggerFactory.getLogger(PuppetDetailController.class);
    /** Most rooms listed for one puppet. */
    static final int MAX_ROOMS = 100;
    /** Largest avatar passed on (a profile picture, not a photo album). */
    static final int MAX_AVATAR_BYTES = 2 * 1024 * 1024;
    /** Raster types only: an SVG could carry script, and anything else is not an avatar. */
    static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
    private final BridgeStores stores;
    private final BridgeStatus status;
    private final List<ProtocolAdapter> adapters;

    public PuppetDetailController(BridgeStores stores, BridgeStatus status, List<ProtocolAdapter> adapters) {
        this.stores = stores;
        this.status = status;
        this.adapters = adapters;
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PuppetRoomDto(String id, String name, boolean enabled) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PuppetDetailDto(PuppetDto puppet,
                                  @Schema(description = "bridged rooms where the bridge delivered this puppet's"
                                          + " messages, as far as the message map remembers (retention prunes it)")
                                  List<PuppetRoomDto> rooms,
                                  @Schema(description = "identity links of the puppet's person")
                                  List<IdentityLinkDto> links,
                                  @Schema(description = "GET /api/v1/puppets/avatar serves the avatar (when the"
                                          + " appliance can fetch it)")
                                  boolean hasAvatar) {
    }

    @Get("/detail")
    @Operation(operationId = "getPuppet", summary = "One puppet (network + puppet id): its rooms, its person's"
            + " identity links, whether it has an avatar")
    @ApiResponse(responseCode = "404", description = "no such puppet")
    public PuppetDetailDto detail(@QueryValue String network, @QueryValue String id) {
        Puppet puppet = find(network, id);
        List<PuppetRoomDto> rooms = new ArrayList<>();
        for (var roomId : stores.messages().roomsWithCopiesBy(puppet.person(), puppet.network(), MAX_ROOMS)) {
            stores.rooms().find(roomId).ifPresent(r -> rooms.add(new PuppetRoomDto(r.id().value(), r.name(),
                    r.enabled())));
        }
        rooms.sort(java.util.Comparator.comparing(PuppetRoomDto::name, String.CASE_INSENSITIVE_ORDER));
        List<IdentityLinkDto> links = stores.identities().all().stream()
                .filter(l -> l.first().equals(puppet.person()) || l.second().equals(puppet.person()))
                .map(IdentityLinkDto::of).toList();
        return new PuppetDetailDto(PuppetDto.of(puppet), rooms, links, puppet.profile().avatar().isPresent());
    }

    @Get("/avatar")
    @Operation(operationId = "getPuppetAvatar", summary = "The puppet's avatar, fetched by the appliance (PNG, JPEG,"
            + " GIF or WebP, at most 2 MiB)")
    @ApiResponse(responseCode = "200", description = "the image")
    @ApiResponse(responseCode = "404", description = "no such puppet, no avatar, or no adapter can fetch it")
    @ApiResponse(responseCode = "502", description = "the avatar could not be fetched or is not an image")
    public HttpResponse<byte[]> avatar(@QueryValue String network, @QueryValue String id) {
        Puppet puppet = find(network, id);
        URI uri = puppet.profile().avatar().orElseThrow(() -> ApiException.notFound("this puppet has no avatar"));
        // The person's own network knows their avatars best; the puppet's network re-hosts them.
        for (Network n : List.of(puppet.person().network(), puppet.network())) {
            Optional<AvatarSource> source = adapters.stream().filter(a -> a.network().equals(n))
                    .filter(AvatarSource.class::isInstance).map(AvatarSource.class::cast).findFirst();
            if (source.isEmpty()) {
                continue;
            }
            Optional<AvatarSource.Image> image;
            try {
                image = source.get().fetchAvatar(uri);
            } catch (IOException | RuntimeException e) {
                LOG.info("could not fetch the avatar of puppet {} on {}: {}", puppet.puppetId(), puppet.network(),
                        e.getMessage());
                return HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.BAD_GATEWAY);
            }
            if (image.isPresent()) {
                return serve(image.get());
            }
        }
        throw ApiException.notFound("no adapter of this appliance fetches this avatar");
    }

    private static HttpResponse<byte[]> serve(AvatarSource.Image image) {
        String type = image.contentType().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!IMAGE_TYPES.contains(type) || image.bytes().length > MAX_AVATAR_BYTES) {
            LOG.info("not serving an avatar of type {} and {} bytes", type, image.bytes().length);
            return HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.BAD_GATEWAY);
        }
        return HttpResponse.ok(image.bytes()).contentType(type)
                .header("Content-Disposition", "inline; filename=avatar");
    }

    private Puppet find(String network, String id) {
        Network net = Inputs.network("network", network, status.adapterStates().keySet());
        String puppetId = Inputs.text("id", id, 1024);
        return stores.puppets().findByPuppetId(net, RemoteUserId.of(puppetId))
                .orElseThrow(() -> ApiException.notFound("no puppet " + puppetId + " on " + net));
    }
}
