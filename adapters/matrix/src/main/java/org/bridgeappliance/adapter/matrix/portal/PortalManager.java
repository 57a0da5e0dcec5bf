package org.bridgeappliance.adapter.matrix.portal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.bridgeappliance.adapter.matrix.convert.MatrixInboundConverter;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgedRoom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portal rooms on Matrix: creates them on demand (a gateway room for an alias in the bridge's
 * namespace, a DM for a 1:1 chat), joins the bot and ghosts to them, and follows invites.
 *
 * <p>Rooms the bridge creates give the bot power level 100, so it can set the name, topic and
 * avatar, invite ghosts and moderate. Existing rooms an admin plumbs need the bot invited (it accepts
 * invites from anyone on its own) or public. Memberships are cached in memory; after a restart the
 * first delivery re-joins, which the homeserver treats as a no-op. Thread-safe; blocking.
 */
public final class PortalManager {
    private static final Logger LOG = LoggerFactory.getLogger(PortalManager.class);

    private final MatrixClient client;
    private final GhostIdCodec codec;
    private final GhostManager ghosts;
    private final Supplier<PortalCoordinator> coordinator;
    private final Set<String> joined = ConcurrentHashMap.newKeySet();
    /** Rooms this run created or opened as DMs: they start without anyone to announce ({@link MemberSync}). */
    private final Set<String> createdByBridge = java.util.Collections.newSetFromMap(
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            }));

    public PortalManager(MatrixClient client, GhostIdCodec codec, GhostManager ghosts,
                         Supplier<PortalCoordinator> coordinator) {
        this.client = client;
        this.codec = codec;
        this.ghosts = ghosts;
        this.coordinator = coordinator;
    }

    private String bot() {
        return codec.botUserId();
    }

    /**
     * Joins the bot to a room it should serve.
     *
     * @throws PermanentDeliveryException if the room does not let the bot in
     */
    public void ensureBotJoined(String roomId) {
        if (joined.contains(key(roomId, bot()))) {
            return;
        }
        try {
            client.join(roomId, bot());
        } catch (MatrixHttpException e) {
            if (!e.isTransient()) {
                throw new PermanentDeliveryException("the bridge bot " + bot() + " cannot join " + roomId
                        + " (invite it to the room): " + e.getMessage(), e);
            }
            throw e;
        }
        joined.add(key(roomId, bot()));
    }

    /** Makes {@code userId} (a ghost) a member of the room, inviting it through the bot if needed. */
    public void ensureJoined(String roomId, String userId) {
        if (joined.contains(key(roomId, userId))) {
            return;
        }
        ensureBotJoined(roomId);
        if (!userId.equals(bot())) {
            try {
                client.join(roomId, userId);
            } catch (MatrixHttpException e) {
                if (e.status() != 403) {
                    throw e;
                }
                // Invite-only room: the bot invites, then the ghost accepts.
                client.invite(roomId, userId, bot());
                client.join(roomId, userId);
            }
        }
        joined.add(key(roomId, userId));
    }

    /**
     * Whether this run has seen the bot in the room (joined it, or found it joined); false says "not known", not
     * "not joined": the cache starts empty after a restart.
     */
    public boolean botKnownJoined(String roomId) {
        return joined.contains(key(roomId, bot()));
    }

    /** Forgets a cached membership (after a kick, a leave, or an M_FORBIDDEN on send). */
    public void forgetMembership(String roomId, String userId) {
        joined.remove(key(roomId, userId));
    }

    /**
     * Whether this run of the bridge created {@code roomId} (a gateway room, a DM) or opened it as a DM
     * on a Matrix user's invite: such rooms have nobody to announce when they become portals.
     */
    public boolean isCreatedByBridge(String roomId) {
        return createdByBridge.contains(roomId);
    }

    /** Records that a user is known to be joined (the bridge created the room with it inside). */
    void markJoined(String roomId, String userId) {
        joined.add(key(roomId, userId));
    }

    /**
     * AS API "Query Room Alias" for an alias in the bridge's namespace: creates a public portal room
     * with that alias and maps it to the other network's room through the coordinator.
     *
     * @return false if the alias is not the bridge's or the other network has no such room
     */
    public boolean createGatewayRoom(String alias) {
        Optional<GhostIdCodec.Address> address = codec.addressOfAlias(alias);
        if (address.isEmpty()) {
            return false;
        }
        String localpart = alias.substring(1, alias.lastIndexOf(':' + codec.serverName()));
        ObjectNode request = Json.object()
                .put("room_alias_name", localpart)
                .put("name", address.get().address())
                .put("topic", "Bridged to " + address.get().network() + ": " + address.get().address())
                .put("preset", "public_chat")
                .put("visibility", "private");
        // MSC2346 bridge info, so that clients can show where the room is bridged to.
        ObjectNode info = Json.object().put("bridgebot", bot()).put("creator", bot());
        info.putObject("protocol").put("id", address.get().network()).put("displayname",
                address.get().network().toUpperCase(java.util.Locale.ROOT));
        info.putObject("channel").put("id", address.get().address()).put("displayname", address.get().address());
        String stateKey = "org.bridgeappliance://" + address.get().network() + "/" + address.get().address();
        var initialState = request.putArray("initial_state");
        for (String type : new String[] {"m.bridge", "uk.half-shot.bridge"}) {
            initialState.addObject().put("type", type).put("state_key", stateKey).set("content", info.deepCopy());
        }
        // The bot creates the room and so has power level 100 (in room version 12 creators are above
        // power levels and must not be listed in "users" at all).
        String roomId;
        try {
            roomId = client.createRoom(bot(), request);
        } catch (MatrixHttpException e) {
            if ("M_ROOM_IN_USE".equals(e.errcode())) {
                return true; // a concurrent query created it: the alias exists now
            }
            throw e;
        }
        markJoined(roomId, bot());
        createdByBridge.add(roomId);
        Portal origin = new Portal(Network.of(MatrixInboundConverter.NETWORK), RemoteRoomId.of(roomId));
        Optional<BridgedRoom> room;
        try {
            room = coordinator.get().ensureGatewayRoom(origin, Network.of(address.get().network()),
                    address.get().address());
        } catch (RuntimeException e) {
            LOG.warn("could not map {} to {}: {}", alias, address.get(), e.toString());
            room = Optional.empty();
        }
        if (room.isEmpty()) {
            // The other side does not exist: undo, so the alias resolves to nothing.
            try {
                client.leave(roomId, bot());
            } catch (RuntimeException e) {
                LOG.info("could not leave the unused room {}: {}", roomId, e.toString());
            }
            return false;
        }
        LOG.info("created portal {} for {} ({})", roomId, address.get(), alias);
        return true;
    }

    /**
     * Creates the DM between a ghost of {@code person} and the Matrix user {@code localUser}: the
     * ghost creates it with {@code is_direct} (so the user's client lists it as a DM with that
     * person) and invites the user and the bot, who get power level 100 with the
     * {@code trusted_private_chat} preset.
     */
    public RemoteRoomId createDirectChat(UserRef person, Profile profile, String localUser) {
        if (!MatrixInboundConverter.validUserId(localUser) || codec.isBridgeUser(localUser)) {
            throw new PermanentDeliveryException("not a Matrix user the bridge can chat with: " + localUser);
        }
        String ghost = ghosts.ensure(person, profile);
        synchronized (directLocks[Math.floorMod((ghost + "\u0000" + localUser).hashCode(), directLocks.length)]) {
            Optional<String> existing = existingDirectChat(ghost, localUser);
            if (existing.isPresent()) {
                return RemoteRoomId.of(existing.get());
            }
            RemoteRoomId created = newDirectChat(ghost, localUser);
            rememberDirectChat(ghost, localUser, created.value());
            return created;
        }
    }

    private final Object[] directLocks = newLocks();

    private static Object[] newLocks() {
        Object[] locks = new Object[32];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        return locks;
    }

    /**
     * The DM this ghost already has with {@code localUser}, from the ghost's {@code m.direct} account
     * data (CS API "Direct Messaging"), if the user is still joined or invited there: provisioning
     * stays idempotent across retries and restarts instead of opening a second chat.
     */
    private Optional<String> existingDirectChat(String ghost, String localUser) {
        try {
            JsonNode rooms = client.accountData(ghost, "m.direct").map(d -> d.path(localUser))
                    .orElse(Json.object());
            for (int i = rooms.size() - 1; i >= 0; i--) {
                String roomId = rooms.path(i).asText("");
                if (!MatrixInboundConverter.validRoomId(roomId)) {
                    continue;
                }
                String membership = client.state(roomId, "m.room.member", localUser, ghost)
                        .map(m -> m.path("membership").asText("")).orElse("");
                if (membership.equals("join") || membership.equals("invite")) {
                    return Optional.of(roomId);
                }
            }
        } catch (MatrixHttpException e) {
            if (e.isTransient()) {
                throw e;
            }
            LOG.debug("no usable m.direct for {}: {}", ghost, e.getMessage());
        }
        return Optional.empty();
    }

    private void rememberDirectChat(String ghost, String localUser, String roomId) {
        try {
            ObjectNode direct = client.accountData(ghost, "m.direct").filter(JsonNode::isObject)
                    .map(d -> (ObjectNode) d.deepCopy()).orElseGet(Json::object);
            JsonNode previous = direct.path(localUser);
            com.fasterxml.jackson.databind.node.ArrayNode rooms = direct.putArray(localUser);
            previous.forEach(r -> {
                if (!r.asText().equals(roomId)) {
                    rooms.add(r.asText());
                }
            });
            rooms.add(roomId);
            client.setAccountData(ghost, "m.direct", direct);
        } catch (RuntimeException e) {
            LOG.info("could not record the DM {} in the m.direct of {}: {}", roomId, ghost, e.toString());
        }
    }

    private RemoteRoomId newDirectChat(String ghost, String localUser) {
        ObjectNode request = Json.object().put("preset", "trusted_private_chat").put("is_direct", true);
        request.putArray("invite").add(localUser).add(bot());
        // trusted_private_chat gives every invitee (the user and the bot) the creator's power level; the
        // ghost as creator is not listed (room version 12 forbids creators in "users").
        String roomId;
        try {
            roomId = client.createRoom(ghost, request);
        } catch (MatrixHttpException e) {
            if (!e.isTransient()) {
                throw new PermanentDeliveryException("cannot open a chat with " + localUser + ": " + e.getMessage(), e);
            }
            throw e;
        }
        markJoined(roomId, ghost);
        createdByBridge.add(roomId);
        ensureBotJoined(roomId);
        return RemoteRoomId.of(roomId);
    }

    /** A Matrix room address as another network's user writes it: an alias or a room id. */
    public Optional<RemoteRoomId> resolveRoom(String address) {
        if (address == null || address.length() > 255) {
            return Optional.empty();
        }
        String roomId;
        if (address.startsWith("#") && address.indexOf(':') > 1) {
            if (codec.addressOfAlias(address).isPresent()) {
                return Optional.empty(); // our own gateway alias: bridging it to itself would loop
            }
            Optional<String> resolved = client.resolveAlias(address);
            if (resolved.isEmpty()) {
                return Optional.empty();
            }
            roomId = resolved.get();
        } else if (MatrixInboundConverter.validRoomId(address)) {
            roomId = address;
        } else {
            return Optional.empty();
        }
        try {
            if (!publicRoom(roomId)) {
                LOG.info("refusing a gateway to {}: the room's join rule is not public", address);
                return Optional.empty();
            }
        } catch (PermanentDeliveryException e) {
            LOG.info("cannot bridge {}: {}", address, e.getMessage());
            return Optional.empty();
        }
        return Optional.of(RemoteRoomId.of(roomId));
    }

    /**
     * Whether the room's {@code m.room.join_rules} is {@code public} (CS API "m.room.join_rules"; none means
     * {@code invite}), so that gateway users of other networks reach only rooms anyone may join, never a private
     * room the bot sits in (invited for plumbing or a DM) nor one an alias points to. Joins the bot if it is not
     * in the room (only a public room, or one that invited it, lets it in) and leaves again if the room turns
     * out not to be public.
     *
     * @throws PermanentDeliveryException if the room refuses the bot
     */
    private boolean publicRoom(String roomId) {
        boolean wasMember = true;
        Optional<JsonNode> rules;
        try {
            rules = client.state(roomId, "m.room.join_rules", "", bot());
        } catch (MatrixHttpException e) {
            if (e.status() != 403) {
                throw e;
            }
            wasMember = false; // not in the room: joining shows whether it lets anyone in
            ensureBotJoined(roomId);
            rules = client.state(roomId, "m.room.join_rules", "", bot());
        }
        boolean isPublic = rules.map(r -> "public".equals(Json.string(r, "join_rule").orElse(""))).orElse(false);
        if (isPublic) {
            ensureBotJoined(roomId);
        } else if (!wasMember) {
            leaveAgain(roomId);
        }
        return isPublic;
    }

    /** Leaves a room the bot joined only to look at its join rule. */
    private void leaveAgain(String roomId) {
        try {
            client.leave(roomId, bot());
        } catch (RuntimeException e) {
            LOG.info("could not leave {} again: {}", roomId, e.toString());
        }
        forgetMembership(roomId, bot());
    }

    /**
     * Follows an invite of one of the bridge's users: the bot and ghosts accept; an {@code is_direct}
     * invite of a ghost by a Matrix user opens a 1:1 chat with that ghost's person.
     */
    public void onInvite(String roomId, String inviter, String invitee, boolean isDirect) {
        if (invitee.equals(bot())) {
            client.join(roomId, bot());
            markJoined(roomId, bot());
            return;
        }
        Optional<UserRef> person = codec.personOf(invitee);
        if (person.isEmpty()) {
            return;
        }
        ghosts.ensure(person.get(), Profile.EMPTY);
        client.join(roomId, invitee);
        markJoined(roomId, invitee);
        if (isDirect) {
            // A DM: the only member to announce is the inviter, and 1:1 chats carry no membership.
            createdByBridge.add(roomId);
            Portal origin = new Portal(Network.of(MatrixInboundConverter.NETWORK), RemoteRoomId.of(roomId));
            Optional<BridgedRoom> room = coordinator.get().ensureDirectChat(origin,
                    UserRef.of(MatrixInboundConverter.NETWORK, inviter), person.get());
            if (room.isEmpty()) {
                LOG.info("no 1:1 chat possible between {} and {}", inviter, person.get());
            } else {
                // The bot manages the DM too (notices, redactions as moderator).
                try {
                    client.invite(roomId, bot(), invitee);
                    client.join(roomId, bot());
                    markJoined(roomId, bot());
                } catch (RuntimeException e) {
                    LOG.info("bot could not join DM {}: {}", roomId, e.toString());
                }
            }
        }
    }

    private static String key(String roomId, String userId) {
        return roomId + "\u0000" + userId;
    }
}
