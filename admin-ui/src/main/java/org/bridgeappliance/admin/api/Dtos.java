package org.bridgeappliance.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.IdentityLink;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.mapping.AdminUser;
import org.bridgeappliance.mapping.AuditEntry;

/**
 * The JSON shapes of the admin API. Requests have nullable fields so that a missing one is reported
 * as a 400 naming it, not as a deserialisation failure. Timestamps are ISO-8601 strings. No DTO
 * carries a password hash; request passwords are only ever read, never echoed. Every field is
 * always written (micronaut-serde would drop empty lists and nulls by default), so clients see a
 * stable shape.
 */
public final class Dtos {
    private Dtos() {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "One network's side of a room mapping")
    public record PortalDto(@Nullable @Schema(example = "xmpp") String network,
                            @Nullable @Schema(example = "lobby@conference.xmpp.test") String room) {
        static PortalDto of(Portal p) {
            return new PortalDto(p.network().value(), p.room().value());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "A room mapping to create or to replace; at most one portal per network")
    public record RoomMappingRequest(@Nullable String name, @Nullable Boolean enabled,
                                     @Nullable List<PortalDto> portals) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RoomMappingDto(String id, String name, boolean enabled, List<PortalDto> portals) {
        static RoomMappingDto of(BridgedRoom room) {
            return new RoomMappingDto(room.id().value(), room.name(), room.enabled(),
                    room.portals().stream().map(PortalDto::of).toList());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record UserRefDto(@Nullable @Schema(example = "matrix") String network,
                             @Nullable @Schema(example = "@alice:matrix.test") String user) {
        static UserRefDto of(UserRef ref) {
            return new UserRefDto(ref.network().value(), ref.user().value());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PuppetDto(UserRefDto person, String network, String puppetId, @Nullable String displayName,
                            @Nullable String avatar, String updatedAt) {
        static PuppetDto of(Puppet p) {
            return new PuppetDto(UserRefDto.of(p.person()), p.network().value(), p.puppetId().value(),
                    p.profile().displayName().orElse(null), p.profile().avatar().map(Object::toString).orElse(null),
                    p.updatedAt().toString());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "One page of puppets; total counts every match (a count query of the store;"
            + " totalExact is always true and kept for clients written against earlier versions)")
    public record PuppetPage(List<PuppetDto> items, String q, @Nullable String network, int offset, int limit,
                             int total, boolean totalExact) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "One page of room mappings, sorted by name, and how many matched in all")
    public record RoomPage(List<RoomMappingDto> items, String q, int offset, int limit, int total) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "One page of identity links, newest first, and how many matched in all")
    public record IdentityLinkPage(List<IdentityLinkDto> items, String q, int offset, int limit, int total) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "A room on one network that an admin can pick for a portal")
    public record NetworkRoomDto(String network, String room, @Nullable String name, @Nullable String topic,
                                 @Nullable Integer members) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "Rooms the adapter of a network found; supported is false when the adapter cannot list"
            + " rooms (type the address instead)")
    public record NetworkRoomsDto(String network, boolean supported, List<NetworkRoomDto> rooms,
                                  @Nullable String error) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record IdentityLinkRequest(@Nullable UserRefDto first, @Nullable UserRefDto second) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record IdentityLinkDto(long id, UserRefDto first, UserRefDto second, String createdAt) {
        static IdentityLinkDto of(IdentityLink link) {
            return new IdentityLinkDto(link.id(), UserRefDto.of(link.first()), UserRefDto.of(link.second()),
                    link.createdAt().toString());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AdapterStateDto(String network, String status, String detail, String since) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "Adapter states, router counters, and facts about the running appliance")
    public record AdaptersDto(List<AdapterStateDto> adapters, Map<String, Object> metrics,
                              @Schema(description = "seconds since the appliance started") long uptimeSeconds,
                              String version, @Schema(description = "events waiting in the outbox") int outboxDepth) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AuditEntryDto(long id, String at, String actor, String action, String target, String detail) {
        static AuditEntryDto of(AuditEntry e) {
            return new AuditEntryDto(e.id(), e.at().toString(), e.actor(), e.action(), e.target(), e.detail());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "One page of audit entries, newest first; total counts every match (a count query of"
            + " the log; totalExact is always true and kept for clients written against earlier versions)")
    public record AuditPage(List<AuditEntryDto> items, int offset, int limit, int total, boolean totalExact) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AdminUserDto(long id, String username, String createdAt) {
        static AdminUserDto of(AdminUser u) {
            return new AdminUserDto(u.id(), u.username(), u.createdAt().toString());
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CreateAdminRequest(@Nullable String username,
                                     @Nullable @Schema(format = "password", minLength = 12) String password) {
        @Override
        public String toString() {
            return "CreateAdminRequest[username=" + username + "]";
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PasswordRequest(@Nullable @Schema(format = "password", minLength = 12) String password) {
        @Override
        public String toString() {
            return "PasswordRequest[***]";
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LoginRequest(@Nullable String username, @Nullable @Schema(format = "password") String password) {
        @Override
        public String toString() {
            return "LoginRequest[username=" + username + "]";
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(description = "The current admin; csrfToken is set for cookie sessions and goes in X-CSRF-Token")
    public record SessionDto(String username, String method, @Nullable String csrfToken, @Nullable String expiresAt) {
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SetupRequest(@Nullable String token, @Nullable String username,
                               @Nullable @Schema(format = "password", minLength = 12) String password) {
        @Override
        public String toString() {
            return "SetupRequest[username=" + username + "]";
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SetupStatusDto(boolean required) {
    }
}
