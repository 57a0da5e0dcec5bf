package org.bridgeappliance.adapter.matrix.portal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.bridgeappliance.adapter.matrix.convert.MatrixInboundConverter;
import org.bridgeappliance.adapter.matrix.convert.MatrixOutboundConverter;
import org.bridgeappliance.adapter.matrix.convert.ReplyFallback;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers canonical events into Matrix rooms: as the sender's ghost (registered and joined on
 * demand), with deterministic client transaction ids so that a retried delivery is de-duplicated by
 * the homeserver, and with Client-Server errors translated into the core's transient/permanent
 * delivery exceptions. Thread-safe; blocking.
 */
public final class MatrixDeliverer {
    private static final Logger LOG = LoggerFactory.getLogger(MatrixDeliverer.class);
    private static final Duration TYPING_TIMEOUT = Duration.ofSeconds(30);

    private final MatrixClient client;
    private final GhostIdCodec codec;
    private final GhostManager ghosts;
    private final PortalManager portals;
    private final MediaFetcher media;
    private final Executor background;
    /** Serialise the member-event writes of one (room, ghost): a nick change and a re-assertion may race. */
    private final Object[] nameLocks = new Object[64];

    /** For tests: re-assertions seen through {@link #observe} run on the calling thread. */
    public MatrixDeliverer(MatrixClient client, GhostIdCodec codec, GhostManager ghosts, PortalManager portals,
                           MediaFetcher media) {
        this(client, codec, ghosts, portals, media, Runnable::run);
    }

    /**
     * @param background runs the member-event corrections that {@link #observe} schedules (it is called on
     *                   the AS request thread and must not block)
     */
    public MatrixDeliverer(MatrixClient client, GhostIdCodec codec, GhostManager ghosts, PortalManager portals,
                           MediaFetcher media, Executor background) {
        this.client = client;
        this.codec = codec;
        this.ghosts = ghosts;
        this.portals = portals;
        this.media = media;
        this.background = background;
        for (int i = 0; i < nameLocks.length; i++) {
            nameLocks[i] = new Object();
        }
        ghosts.onGlobalProfileChange(this::reassertRoomNames);
    }

    /** {@link org.bridgeappliance.core.port.ProtocolAdapter#deliver}, for Matrix. */
    public DeliveryReceipt deliver(Delivery delivery) {
        try {
            return translate(() -> deliverOnce(delivery));
        } catch (MembershipLostException e) {
            // The ghost was kicked or the homeserver forgot it: re-join once and retry.
            forgetMember(e.roomId, e.userId);
            ghosts.forget(e.userId);
            try {
                return translate(() -> deliverOnce(delivery));
            } catch (MembershipLostException again) {
                throw new PermanentDeliveryException(again.userId + " may not send in " + again.roomId,
                        again.getCause());
            }
        }
    }

    private DeliveryReceipt deliverOnce(Delivery delivery) {
        RoomEvent event = delivery.event();
        String roomId = delivery.target().room().value();
        if (event instanceof MembershipEvent m) {
            return membership(roomId, m);
        }
        if (event instanceof RoomInfoEvent info) {
            return roomInfo(roomId, info);
        }
        String ghost = ghosts.ensureForRoom(event.sender(), event.meta().profile());
        portals.ensureJoined(roomId, ghost);
        roomName(roomId, ghost, event.sender(), event.meta().profile());
        if (event instanceof MessageEvent m) {
            return message(delivery, roomId, ghost, m);
        } else if (event instanceof EditEvent e) {
            String target = reference(delivery, "edit").first().value();
            String id = send(roomId, "m.room.message", delivery, "edit", 0,
                    MatrixOutboundConverter.edit(org.bridgeappliance.core.model.MessageKind.TEXT, e.newBody(), target),
                    ghost);
            return DeliveryReceipt.of(id);
        } else if (event instanceof RetractionEvent r) {
            Delivery.Reference ref = reference(delivery, "retraction");
            // A moderator's removal needs the bot's power; an author removes their own message.
            String as = r.moderation() ? codec.botUserId() : ghost;
            int part = 0;
            for (RemoteMessageId id : ref.parts()) {
                client.redact(roomId, id.value(), MatrixOutboundConverter.txnId(delivery.messageId(), "redact", part++),
                        r.reason(), as);
            }
            return DeliveryReceipt.NONE;
        } else if (event instanceof ReactionEvent r) {
            Delivery.Reference ref = reference(delivery, "reaction");
            if (r.added()) {
                String id = send(roomId, "m.reaction", delivery, "react", 0,
                        MatrixOutboundConverter.reaction(ref.first().value(), r.key()), ghost);
                return DeliveryReceipt.of(id);
            }
            // Removal: the reference is the annotation event itself.
            client.redact(roomId, ref.first().value(), MatrixOutboundConverter.txnId(delivery.messageId(), "unreact", 0),
                    Optional.empty(), ghost);
            return DeliveryReceipt.NONE;
        } else if (event instanceof TypingEvent t) {
            client.typing(roomId, ghost, t.typing(), TYPING_TIMEOUT);
            return DeliveryReceipt.NONE;
        } else if (event instanceof ReadMarkerEvent) {
            client.receipt(roomId, reference(delivery, "read marker").first().value(), ghost);
            return DeliveryReceipt.NONE;
        }
        throw new PermanentDeliveryException("unsupported event " + event.getClass().getSimpleName());
    }

    private DeliveryReceipt message(Delivery delivery, String roomId, String ghost, MessageEvent m) {
        List<String> ids = new ArrayList<>();
        int part = 0;
        boolean hasText = !m.body().plain().isBlank() || m.body().html().isPresent();
        Optional<MatrixOutboundConverter.ReplyTarget> reply = delivery.replyTo().map(ref -> replyTarget(roomId, ref));
        if (hasText || m.attachments().isEmpty()) {
            ids.add(send(roomId, "m.room.message", delivery, "msg", part++,
                    MatrixOutboundConverter.message(m.kind(), m.body(), reply), ghost));
        }
        for (Attachment attachment : m.attachments()) {
            ObjectNode content;
            try {
                content = MatrixOutboundConverter.attachment(attachment, rehost(attachment, ghost));
            } catch (java.io.IOException | RuntimeException e) {
                if (e instanceof MatrixHttpException mx && mx.isTransient()) {
                    throw mx;
                }
                LOG.info("sending a link instead of re-hosting {}: {}", attachment.uri(), e.toString());
                content = MatrixOutboundConverter.attachmentLink(attachment);
            }
            if (!hasText && reply.isPresent() && part == 0) {
                content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", reply.get().eventId());
            }
            ids.add(send(roomId, "m.room.message", delivery, "msg", part++, content, ghost));
        }
        return new DeliveryReceipt(ids.stream().map(RemoteMessageId::of).toList());
    }

    private String rehost(Attachment attachment, String ghost) throws java.io.IOException {
        if ("mxc".equalsIgnoreCase(attachment.uri().getScheme())) {
            return attachment.uri().toString();
        }
        MediaFetcher.Content content = media.fetch(attachment.uri());
        String type = attachment.mimeType().isBlank() ? content.contentType() : attachment.mimeType();
        return client.upload(content.bytes(), type, attachment.fileName(), ghost);
    }

    private MatrixOutboundConverter.ReplyTarget replyTarget(String roomId, Delivery.Reference ref) {
        String eventId = ref.first().value();
        String author = mxidOf(ref.author());
        Optional<ReplyFallback.Quoted> quoted = Optional.empty();
        try {
            JsonNode original = client.event(roomId, eventId, codec.botUserId());
            JsonNode content = Json.obj(original, "content");
            JsonNode shown = content;
            Optional<String> html = "org.matrix.custom.html".equals(Json.string(shown, "format").orElse(""))
                    ? Json.string(shown, "formatted_body").map(h ->
                    org.bridgeappliance.adapter.matrix.convert.HtmlSanitizer.sanitize(h, true))
                    : Optional.empty();
            quoted = Optional.of(new ReplyFallback.Quoted(roomId, eventId,
                    Json.string(original, "sender").orElse(author), Json.string(shown, "body"), html));
        } catch (RuntimeException e) {
            // The relation alone is enough for current clients; the fallback is a courtesy.
            LOG.debug("no reply fallback for {}: {}", eventId, e.toString());
        }
        return new MatrixOutboundConverter.ReplyTarget(eventId, author, quoted);
    }

    private DeliveryReceipt membership(String roomId, MembershipEvent m) {
        Optional<String> ghostOf = ghostOf(m.subject());
        if (ghostOf.isEmpty()) {
            return DeliveryReceipt.NONE; // a Matrix user's membership is Matrix's own business
        }
        UserRef subject = m.subject();
        switch (m.membership()) {
            case JOIN -> {
                Profile p = m.sender().equals(subject) ? m.meta().profile() : Profile.EMPTY;
                String ghost = ghosts.ensureForRoom(subject, p);
                portals.ensureJoined(roomId, ghost);
                roomName(roomId, ghost, subject, p);
            }
            case PROFILE_CHANGE -> {
                // A nick change in one room (XEP-0045) is that room's business: the member event there.
                String ghost = ghosts.ensureForRoom(subject, m.meta().profile());
                portals.ensureJoined(roomId, ghost);
                roomName(roomId, ghost, subject, m.meta().profile());
            }
            case INVITE -> {
                String ghost = ghosts.ensure(subject, Profile.EMPTY);
                portals.ensureBotJoined(roomId);
                client.invite(roomId, ghost, codec.botUserId());
            }
            case LEAVE -> {
                String ghost = ghostOf.get();
                forgetMember(roomId, ghost);
                ignoreNotInRoom(() -> client.leave(roomId, ghost));
            }
            case KICK -> {
                String ghost = ghostOf.get();
                forgetMember(roomId, ghost);
                portals.ensureBotJoined(roomId);
                ignoreNotInRoom(() -> client.kick(roomId, ghost, m.reason(), codec.botUserId()));
            }
            case BAN -> {
                String ghost = ghostOf.get();
                forgetMember(roomId, ghost);
                portals.ensureBotJoined(roomId);
                client.ban(roomId, ghost, m.reason(), codec.botUserId());
            }
        }
        return DeliveryReceipt.NONE;
    }

    /**
     * Shows {@code profile}'s name as the ghost's name in this room only (its member event), when it
     * differs from what the ghost shows there: MUC nicks are per room, the global name is not.
     */
    private void roomName(String roomId, String ghost, UserRef person, Profile profile) {
        Optional<String> wanted = profile.displayName();
        if (wanted.isEmpty()) {
            return;
        }
        String key = key(roomId, ghost);
        synchronized (nameLock(key)) {
            String current = roomNames.get(key);
            if (current == null) {
                current = ghosts.globalName(person).orElse(null);
            }
            if (!wanted.get().equals(current)) {
                try {
                    putMember(roomId, ghost, wanted.get(), Optional.empty());
                } catch (MatrixHttpException e) {
                    if (e.isTransient()) {
                        throw e;
                    }
                    LOG.info("could not set the name of {} in {}: {}", ghost, roomId, e.getMessage());
                }
            }
            roomNames.put(key, wanted.get());
        }
    }

    /**
     * After the ghost's global profile changed: puts back the per-room names that differ from the new
     * global name, with the current avatar.
     *
     * <p>Why: Synapse answers {@code PUT /profile/{userId}/displayname|avatar_url} and then rewrites the
     * ghost's {@code m.room.member} event in every joined room with the GLOBAL displayname and
     * avatar_url ({@code ProfileHandler._update_join_states}, documented there as "this stomps over any
     * custom display name or avatar URL in member events"; it sends a plain "join" whose missing
     * profile fields {@code RoomMemberHandler.update_membership_locked} fills from the global profile).
     * Since synapse#19311 (in the sandbox's 1.163.2) that rewrite runs as a background task of its task
     * scheduler, room by room, after the PUT has returned: a member event we put back at once can be
     * stomped again a moment later. So there are two steps: the re-assertion here, at once (enough for
     * homeservers that rewrite synchronously), and {@link #observe}, which sees each rewritten member
     * event arrive through the AS stream and puts the per-room name back then. Putting back content that
     * is already there creates no event: Synapse treats a member update with the same sender, membership
     * and content as a duplicate. (MSC4069's {@code org.matrix.msc4069.propagate=false} would avoid the
     * rewrite, but only with Synapse's experimental {@code msc4069_profile_inhibit_propagation} on.)
     */
    private void reassertRoomNames(String ghost, String globalName, Optional<String> avatarMxc) {
        String suffix = key("", ghost);
        List<String> keys;
        synchronized (roomNames) {
            keys = roomNames.keySet().stream().filter(k -> k.endsWith(suffix)).toList();
        }
        for (String key : keys) {
            String roomId = key.substring(0, key.length() - suffix.length());
            synchronized (nameLock(key)) {
                String nick = roomNames.get(key);
                if (nick == null || nick.equals(globalName)) {
                    continue; // the homeserver's rewrite shows the right name there
                }
                try {
                    putMember(roomId, ghost, nick, avatarMxc);
                } catch (RuntimeException e) {
                    // Not fatal for the event being delivered: the next event of this person there sets it again.
                    roomNames.remove(key);
                    LOG.info("could not restore the name of {} in {}: {}", ghost, roomId, e.toString());
                }
            }
        }
    }

    /**
     * AS hook, for every room event before conversion, on the AS request thread (must not block; the
     * work runs on the background executor): when the homeserver rewrote one of our ghosts' member
     * events with a name other than the per-room name the bridge set there (a global profile change,
     * see {@link #reassertRoomNames}), puts the per-room name back. Never throws.
     */
    public void observe(JsonNode event) {
        try {
            if (!"m.room.member".equals(Json.string(event, "type").orElse(""))) {
                return;
            }
            String roomId = Json.string(event, "room_id").orElse(null);
            String ghost = Json.string(event, "state_key").orElse(null);
            if (roomId == null || ghost == null || !ghost.equals(Json.string(event, "sender").orElse(null))
                    || !codec.isBridgeUser(ghost) || ghost.equals(codec.botUserId())) {
                return;
            }
            JsonNode content = Json.obj(event, "content");
            if (!"join".equals(Json.string(content, "membership").orElse(""))) {
                return;
            }
            String key = key(roomId, ghost);
            String nick = roomNames.get(key);
            if (nick == null || Json.string(content, "displayname").equals(Optional.of(nick))) {
                return;
            }
            Optional<String> avatar = Json.string(content, "avatar_url"); // the global one the rewrite carries
            background.execute(() -> {
                synchronized (nameLock(key)) {
                    String now = roomNames.get(key);
                    if (now == null) {
                        return;
                    }
                    try {
                        putMember(roomId, ghost, now, avatar);
                    } catch (RuntimeException e) {
                        roomNames.remove(key);
                        LOG.info("could not restore the name of {} in {}: {}", ghost, roomId, e.toString());
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("member event not checked: {}", e.toString());
        }
    }

    /** Sends the ghost's member event in a room with a per-room name and its avatar (known, or the global one). */
    private void putMember(String roomId, String ghost, String name, Optional<String> avatarMxc) {
        ObjectNode member = Json.object().put("membership", "join").put("displayname", name);
        Optional<String> avatar = avatarMxc.or(() -> ghosts.knownAvatar(ghost));
        if (avatar.isEmpty()) {
            avatar = Json.string(client.profile(ghost), "avatar_url");
        }
        avatar.ifPresent(a -> member.put("avatar_url", a));
        client.sendState(roomId, "m.room.member", ghost, member, ghost);
    }

    private static String key(String roomId, String ghost) {
        return roomId + "\u0000" + ghost;
    }

    /** The ghost is no longer in the room: forget its membership and its name there (a re-join shows the global name). */
    private void forgetMember(String roomId, String ghost) {
        portals.forgetMembership(roomId, ghost);
        roomNames.remove(key(roomId, ghost));
    }

    private Object nameLock(String key) {
        return nameLocks[Math.floorMod(key.hashCode(), nameLocks.length)];
    }

    private final java.util.Map<String, String> roomNames = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
                    return size() > 50_000;
                }
            });

    private DeliveryReceipt roomInfo(String roomId, RoomInfoEvent info) {
        portals.ensureBotJoined(roomId);
        String bot = codec.botUserId();
        info.name().ifPresent(name -> client.sendState(roomId, "m.room.name", "", Json.object().put("name", name), bot));
        info.topic().ifPresent(topic -> client.sendState(roomId, "m.room.topic", "", Json.object().put("topic", topic),
                bot));
        info.avatar().ifPresent(avatar -> {
            try {
                String mxc = GhostManager.avatarMxc(client, media, avatar, bot);
                client.sendState(roomId, "m.room.avatar", "", Json.object().put("url", mxc), bot);
            } catch (java.io.IOException e) {
                LOG.info("could not set the avatar of {}: {}", roomId, e.toString());
            }
        });
        return DeliveryReceipt.NONE;
    }

    /** Sets a ghost's presence ({@link org.bridgeappliance.core.port.PresenceSupport}). */
    public void presence(PresenceEvent presence) {
        translate(() -> {
            // A new global name or avatar: the ghost manager tells reassertRoomNames, which keeps the per-room names.
            String ghost = ghosts.ensure(presence.sender(), presence.profile());
            client.setPresence(ghost, MatrixOutboundConverter.presence(presence.presence()),
                    MatrixOutboundConverter.statusMessage(presence.presence(), presence.note()));
            return DeliveryReceipt.NONE;
        });
    }

    /** Tells a Matrix author that their event did not reach another network: a notice replying to it. */
    public void reportFailure(DeliveryFailure failure) {
        String roomId = failure.event().origin().room().value();
        Optional<String> original = failure.event().remoteId().map(RemoteMessageId::value);
        String text = "⚠️ Not delivered to " + failure.target().network() + " (" + failure.reason() + ")";
        String txn = MatrixOutboundConverter.txnId(org.bridgeappliance.core.id.BridgeMessageId.of(
                original.orElse(roomId + "|" + failure.event().timestamp())), "failure:" + failure.target(), 0);
        try {
            portals.ensureBotJoined(roomId);
            client.send(roomId, "m.room.message", txn, MatrixOutboundConverter.notice(text, original),
                    codec.botUserId());
        } catch (RuntimeException e) {
            LOG.warn("could not report a delivery failure in {}: {}", roomId, e.toString());
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String send(String roomId, String type, Delivery delivery, String step, int part, ObjectNode content,
                        String asUser) {
        String txn = MatrixOutboundConverter.txnId(delivery.messageId(), step, part);
        try {
            return client.send(roomId, type, txn, content, asUser);
        } catch (MatrixHttpException e) {
            if (e.status() == 403 && "M_FORBIDDEN".equals(e.errcode())) {
                throw new MembershipLostException(roomId, asUser, e);
            }
            throw e;
        }
    }

    private String mxidOf(UserRef person) {
        if (person.network().value().equals(MatrixInboundConverter.NETWORK)) {
            return person.user().value();
        }
        return ghostOf(person).orElse(person.user().value());
    }

    private Optional<String> ghostOf(UserRef person) {
        if (person.network().value().equals(MatrixInboundConverter.NETWORK)) {
            return Optional.empty();
        }
        try {
            return Optional.of(codec.ghostUserId(person));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Delivery.Reference reference(Delivery delivery, String what) {
        return delivery.reference().orElseThrow(() ->
                new PermanentDeliveryException("the " + what + " refers to a message that has no copy here"));
    }

    private static void ignoreNotInRoom(Runnable action) {
        try {
            action.run();
        } catch (MatrixHttpException e) {
            if (e.status() != 403 && e.status() != 404) {
                throw e;
            }
        }
    }

    /** Runs a delivery step, translating Client-Server failures into the core's exceptions. */
    private static DeliveryReceipt translate(Supplier<DeliveryReceipt> step) {
        try {
            return step.get();
        } catch (MembershipLostException e) {
            throw e;
        } catch (MatrixHttpException e) {
            if (e.isTransient()) {
                throw new TransientDeliveryException(e.getMessage(), e, e.retryAfter().orElse(null));
            }
            throw new PermanentDeliveryException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new PermanentDeliveryException(e.getMessage(), e);
        }
    }

    /** A send was refused because the sender is not (any more) in the room. */
    static final class MembershipLostException extends RuntimeException {
        final String roomId;
        final String userId;

        MembershipLostException(String roomId, String userId, Throwable cause) {
            super("not in room", cause);
            this.roomId = roomId;
            this.userId = userId;
        }
    }

}
