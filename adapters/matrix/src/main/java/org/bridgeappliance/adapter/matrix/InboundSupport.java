package org.bridgeappliance.adapter.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.bridgeappliance.adapter.matrix.appservice.TransactionProcessor;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.convert.MatrixInboundConverter;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.adapter.matrix.media.MediaLinks;
import org.bridgeappliance.adapter.matrix.portal.PortalManager;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.ReactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What inbound conversion needs from outside the converter: member profiles (cached from member
 * events, fetched once per unknown member), the reactions the bridge saw (so that redacting one
 * becomes a reaction removal), authors from the message map, public media links; and the side
 * effects of a transaction: following invites of the bot and ghosts (off the request thread).
 *
 * <p>Matrix strips a redacted reaction's content, so a redaction alone does not say which reaction
 * was removed. Reactions Matrix users add are therefore found in two places: a bounded in-memory
 * cache filled here, and the {@link ReactionStore}, where the router records the origin side of every
 * reaction it accepts (under the Matrix portal, with the m.reaction event id). A redaction the cache
 * does not know, such as one of a reaction added before a restart, is resolved through the store.
 */
final class InboundSupport implements MatrixInboundConverter.Lookups, TransactionProcessor.Hooks {
    /** Matrix, as the core names it (as {@code MatrixAdapter.NETWORK}; not imported from there: no cycle). */
    private static final Network NETWORK = Network.of(MatrixInboundConverter.NETWORK);
    private static final Logger LOG = LoggerFactory.getLogger(InboundSupport.class);
    private static final int MAX_CACHED = 20_000;

    private final MatrixClient client;
    private final GhostIdCodec codec;
    private final MessageMapStore messages;
    private final ReactionStore reactionStore;
    private final MediaLinks links;
    private final PortalManager portals;
    private final Executor background;
    private final Map<String, Profile> profiles = lru();
    private final Map<String, MatrixInboundConverter.ReactionRef> reactions = lru();

    InboundSupport(MatrixClient client, GhostIdCodec codec, MessageMapStore messages, ReactionStore reactionStore,
                   MediaLinks links, PortalManager portals, Executor background) {
        this.client = client;
        this.codec = codec;
        this.messages = messages;
        this.reactionStore = java.util.Objects.requireNonNull(reactionStore, "reactionStore");
        this.links = links;
        this.portals = portals;
        this.background = background;
    }

    private static <V> Map<String, V> lru() {
        return java.util.Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_CACHED;
            }
        });
    }

    // ---- Lookups -----------------------------------------------------------------------------

    @Override
    public Profile profileOf(String roomId, String userId) {
        String key = roomId + "\u0000" + userId;
        Profile cached = profiles.get(key);
        if (cached != null) {
            return cached;
        }
        // The room's member event has the per-room name; the bot may not be in the room yet (it joins
        // on invite, asynchronously), so fall back to the global profile, which needs no membership.
        Optional<Profile> found = lookup(() -> client.state(roomId, "m.room.member", userId, codec.botUserId()));
        if (found.isEmpty()) {
            found = lookup(() -> Optional.of(client.profile(userId)));
        }
        // Only answers are cached: a failed lookup is tried again with the next event.
        found.ifPresent(p -> profiles.put(key, p));
        return found.orElse(Profile.EMPTY);
    }

    private Optional<Profile> lookup(java.util.function.Supplier<Optional<JsonNode>> call) {
        try {
            return call.get().filter(JsonNode::isObject).map(m -> new Profile(Json.string(m, "displayname"),
                    Json.string(m, "avatar_url").flatMap(this::safeLink)));
        } catch (RuntimeException e) {
            LOG.debug("profile lookup failed: {}", e.toString());
            return Optional.empty();
        }
    }

    @Override
    public Optional<MatrixInboundConverter.ReactionRef> reactionOf(String roomId, String eventId) {
        MatrixInboundConverter.ReactionRef cached = reactions.get(roomId + "\u0000" + eventId);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            Portal portal = portal(roomId);
            // Only reactions of Matrix users, as in the cache: a ghost's reaction in this room is the
            // bridge's own copy of another network's reaction, not something a Matrix user can withdraw.
            return reactionStore.findByRemoteId(portal, RemoteMessageId.of(eventId))
                    .filter(r -> r.reactor().network().equals(NETWORK))
                    .flatMap(r -> eventIdOf(portal, r).map(target -> new MatrixInboundConverter.ReactionRef(
                            target, r.key(), r.reactor().user().value())));
        } catch (RuntimeException e) {
            LOG.warn("could not look up whether {} in {} is a reaction: {}", eventId, roomId, e.toString());
            return Optional.empty();
        }
    }

    /** The Matrix event id of the message {@code reaction} annotates, in that portal (its first part). */
    private Optional<String> eventIdOf(Portal portal, ReactionMapping reaction) {
        return messages.copies(reaction.messageId()).stream()
                .filter(m -> m.portal().equals(portal))
                .min(java.util.Comparator.comparingInt(MessageMapping::part))
                .map(m -> m.remoteId().value());
    }

    private static Portal portal(String roomId) {
        return new Portal(NETWORK, RemoteRoomId.of(roomId));
    }

    @Override
    public Optional<String> authorOf(String roomId, String eventId) {
        try {
            List<MessageMapping> found = messages.findInPortal(new Portal(NETWORK,
                    RemoteRoomId.of(roomId)), RemoteMessageId.of(eventId));
            return found.stream().findFirst().map(m -> m.author().network().equals(NETWORK)
                    ? m.author().user().value() : "ghost:" + m.author());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads the room's power levels as the bot (CS API "m.room.power_levels": a user's level is
     * {@code users[id]}, else {@code users_default}, 0 by default; redacting others needs {@code redact}, 50 by
     * default). Room version 12 creators outrank every level and are not listed in {@code users}: the creator
     * of the create event (whose id is the room id with '$' for '!') and {@code additional_creators}.
     * In a room without power levels (createRoom always sets them) only a version 12 creator counts. On a failed
     * call, false (logged).
     */
    @Override
    public boolean mayRedactOthers(String roomId, String userId) {
        String bot = codec.botUserId();
        try {
            JsonNode create = client.state(roomId, "m.room.create", "", bot).orElse(Json.object());
            if (isCreator(roomId, userId, create, bot)) {
                return true;
            }
            Optional<JsonNode> levels = client.state(roomId, "m.room.power_levels", "", bot);
            boolean allowed = levels.isPresent() && level(levels.get().path("users").path(userId),
                    level(levels.get().path("users_default"), 0)) >= level(levels.get().path("redact"), 50);
            if (!allowed) {
                LOG.info("{} redacted someone else's event in {} below the room's redact level: not bridged", userId,
                        roomId);
            }
            return allowed;
        } catch (RuntimeException e) {
            LOG.warn("could not read the power levels of {}; {}'s redaction is not bridged: {}", roomId, userId,
                    e.toString());
            return false;
        }
    }

    private boolean isCreator(String roomId, String userId, JsonNode createContent, String bot) {
        String version = Json.string(createContent, "room_version").orElse("1");
        if (!version.matches("[1-9]|1[01]")) {
            // Room version 12 (MSC4289): creators have unlimited power and the room id is the create event's id.
            for (JsonNode extra : createContent.path("additional_creators")) {
                if (userId.equals(extra.asText())) {
                    return true;
                }
            }
            return roomId.startsWith("!") && userId.equals(
                    client.event(roomId, "$" + roomId.substring(1), bot).path("sender").asText());
        }
        return false; // versions 1 to 11: creators are ordinary entries of the power levels' users

    }

    private static long level(JsonNode value, long fallback) {
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isTextual() && value.asText().matches("-?\\d{1,15}")) {
            return Long.parseLong(value.asText()); // room versions before 10 allow levels as strings
        }
        return fallback;
    }

    @Override
    public URI mediaUri(String mxc) {
        return links.link(mxc);
    }

    private Optional<URI> safeLink(String mxc) {
        try {
            return Optional.of(links.link(mxc));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---- Hooks -------------------------------------------------------------------------------

    @Override
    public void observe(JsonNode event) {
        String type = Json.string(event, "type").orElse("");
        if (type.equals("m.room.encrypted")) {
            warnEncrypted(event);
            return;
        }
        if (!"m.room.member".equals(type)) {
            return;
        }
        String roomId = Json.string(event, "room_id").orElse(null);
        String subject = Json.string(event, "state_key").orElse(null);
        String sender = Json.string(event, "sender").orElse(null);
        if (roomId == null || subject == null || sender == null) {
            return;
        }
        JsonNode content = Json.obj(event, "content");
        String membership = Json.string(content, "membership").orElse("");
        if (membership.equals("join")) {
            profiles.put(roomId + "\u0000" + subject, new Profile(Json.string(content, "displayname"),
                    Json.string(content, "avatar_url").flatMap(this::safeLink)));
        }
        if (!codec.isBridgeUser(subject)) {
            return;
        }
        if (membership.equals("invite") && !codec.isBridgeUser(sender)) {
            boolean direct = content.path("is_direct").asBoolean(false);
            background.execute(() -> {
                try {
                    portals.onInvite(roomId, sender, subject, direct);
                } catch (RuntimeException e) {
                    LOG.warn("could not follow the invite of {} to {}: {}", subject, roomId, e.toString());
                }
            });
        } else if (membership.equals("leave") || membership.equals("ban")) {
            portals.forgetMembership(roomId, subject);
        }
    }

    /**
     * The bridge has no end-to-bridge encryption: it cannot read encrypted messages. Say so once per
     * room instead of dropping them silently (Matterbridge #170, #1187).
     */
    private void warnEncrypted(JsonNode event) {
        String roomId = Json.string(event, "room_id").filter(MatrixInboundConverter::validRoomId).orElse(null);
        String sender = Json.string(event, "sender").orElse(null);
        if (roomId == null || sender == null || codec.isBridgeUser(sender) || !warnedEncrypted.add(roomId)) {
            return;
        }
        background.execute(() -> {
            try {
                com.fasterxml.jackson.databind.node.ObjectNode notice =
                        org.bridgeappliance.adapter.matrix.convert.MatrixOutboundConverter.notice(
                                "This room is encrypted: the bridge cannot read encrypted messages, so they are not"
                                        + " bridged.", Json.string(event, "event_id"));
                client.send(roomId, "m.room.message", "encrypted-warning-" + Integer.toHexString(roomId.hashCode()),
                        notice, codec.botUserId());
            } catch (RuntimeException e) {
                LOG.info("could not warn about encryption in {}: {}", roomId, e.toString());
            }
        });
    }

    private final java.util.Set<String> warnedEncrypted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void submitted(BridgeEvent event, Acceptance acceptance) {
        if (event instanceof ReactionEvent r && r.added() && r.remoteId().isPresent()) {
            reactions.put(r.origin().room().value() + "\u0000" + r.remoteId().get().value(),
                    new MatrixInboundConverter.ReactionRef(r.target().value(), r.key(), r.sender().user().value()));
        }
    }
}
