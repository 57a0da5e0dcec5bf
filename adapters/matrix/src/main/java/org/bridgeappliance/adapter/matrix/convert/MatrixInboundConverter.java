package org.bridgeappliance.adapter.matrix.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MembershipEvent.Membership;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;

/**
 * Matrix events (as pushed in AS transactions) to canonical events. Pure: everything it needs from
 * outside (profiles, the reaction an event id stands for, who wrote an event, public media URLs)
 * comes through {@link Lookups}; the typing set per room lives in the caller's {@link TypingTracker}.
 *
 * <p>Never returns events sent by the bridge itself ({@code isBridgeUser}: the bot and every ghost),
 * and never lets unsanitised HTML through ({@link HtmlSanitizer}). Malformed events yield an empty
 * list, never an exception the caller has to guess about.
 */
public final class MatrixInboundConverter {
    public static final String NETWORK = "matrix";
    private static final int MAX_ID_LENGTH = 255;

    /** What the converter may ask the adapter; implementations must not block for long. */
    public interface Lookups {
        /** The display name and avatar of {@code userId} in {@code roomId}, as far as known. */
        default Profile profileOf(String roomId, String userId) {
            return Profile.EMPTY;
        }

        /** If {@code eventId} in {@code roomId} is a reaction the bridge saw: what it reacted to and with. */
        default Optional<ReactionRef> reactionOf(String roomId, String eventId) {
            return Optional.empty();
        }

        /** The MXID that wrote {@code eventId}, if known (tells a self-redaction from a moderation). */
        default Optional<String> authorOf(String roomId, String eventId) {
            return Optional.empty();
        }

        /**
         * Whether {@code userId}'s power level in {@code roomId} reaches the room's {@code redact} level (CS API
         * "m.room.power_levels"), i.e. whether its redaction of someone else's event is a moderation. Room
         * versions 3 and later accept a redaction event from anyone and only withhold its effect
         * (room version 3, "Redactions"), so the homeserver does push redactions that are not allowed.
         * False when unknown. May block on one Client-Server call.
         */
        default boolean mayRedactOthers(String roomId, String userId) {
            return false;
        }

        /** Where other networks can fetch {@code mxc} (a signed proxy URL); the mxc URI itself by default. */
        default URI mediaUri(String mxc) {
            return URI.create(mxc);
        }
    }

    /** A reaction event: the message it annotates and the key. */
    public record ReactionRef(String target, String key, String sender) {
    }

    private final Predicate<String> isBridgeUser;
    private final java.util.function.Function<String, Optional<UserRef>> ghostPerson;
    private final Clock clock;

    /**
     * @param isBridgeUser the bot and every ghost: their events are never bridged back
     * @param ghostPerson  the person of another network a ghost MXID stands for (a Matrix moderator's
     *                     kick or ban of a ghost is bridged as a kick or ban of that person)
     */
    public MatrixInboundConverter(Predicate<String> isBridgeUser,
                                  java.util.function.Function<String, Optional<UserRef>> ghostPerson, Clock clock) {
        this.isBridgeUser = isBridgeUser;
        this.ghostPerson = ghostPerson;
        this.clock = clock;
    }

    /** One room or state event from a transaction's {@code events}. */
    public List<BridgeEvent> convertEvent(JsonNode event, Lookups lookups) {
        String type = Json.string(event, "type").orElse("");
        String roomId = Json.string(event, "room_id").filter(MatrixInboundConverter::validRoomId).orElse(null);
        String sender = Json.string(event, "sender").filter(MatrixInboundConverter::validUserId).orElse(null);
        if (roomId == null || sender == null || isBridgeUser.test(sender)) {
            return List.of();
        }
        String eventId = Json.string(event, "event_id").filter(MatrixInboundConverter::validEventId).orElse(null);
        Instant ts = event.path("origin_server_ts").canConvertToLong()
                ? Instant.ofEpochMilli(event.path("origin_server_ts").asLong()) : clock.instant();
        JsonNode content = Json.obj(event, "content");
        boolean isState = event.has("state_key");
        Portal origin = new Portal(org.bridgeappliance.core.id.Network.of(NETWORK),
                org.bridgeappliance.core.id.RemoteRoomId.of(roomId));
        EventMeta meta = new EventMeta(origin, user(sender), lookups.profileOf(roomId, sender),
                Optional.ofNullable(eventId).map(RemoteMessageId::of), ts);
        if (isState) {
            String stateKey = event.path("state_key").asText("");
            return switch (type) {
                case "m.room.member" -> member(meta, sender, stateKey, content, event, lookups);
                case "m.room.name" -> List.of(new RoomInfoEvent(meta, Optional.of(text(content, "name")),
                        Optional.empty(), Optional.empty()));
                case "m.room.topic" -> List.of(new RoomInfoEvent(meta, Optional.empty(),
                        Optional.of(text(content, "topic")), Optional.empty()));
                case "m.room.avatar" -> Json.string(content, "url").flatMap(u -> media(u, lookups))
                        .<List<BridgeEvent>>map(u -> List.of(new RoomInfoEvent(meta, Optional.empty(),
                                Optional.empty(), Optional.of(u))))
                        .orElse(List.of());
                default -> List.of();
            };
        }
        if (eventId == null || content.isMissingNode()) {
            return List.of();
        }
        return switch (type) {
            case "m.room.message" -> message(meta, content, lookups);
            case "m.sticker" -> sticker(meta, content, lookups);
            case "m.reaction" -> reaction(meta, content);
            case "m.room.redaction" -> redaction(meta, roomId, sender, event, content, lookups);
            default -> List.of();
        };
    }

    /** One item of a transaction's {@code ephemeral} (MSC2409 / spec v1.13): typing, receipts, presence. */
    public List<BridgeEvent> convertEphemeral(JsonNode edu, Lookups lookups, TypingTracker typing) {
        String type = Json.string(edu, "type").orElse("");
        JsonNode content = Json.obj(edu, "content");
        Instant now = clock.instant();
        switch (type) {
            case "m.typing": {
                String roomId = Json.string(edu, "room_id").filter(MatrixInboundConverter::validRoomId).orElse(null);
                if (roomId == null || !content.path("user_ids").isArray()) {
                    return List.of();
                }
                List<String> users = new ArrayList<>();
                content.path("user_ids").forEach(u -> {
                    if (u.isTextual() && validUserId(u.asText()) && !isBridgeUser.test(u.asText())) {
                        users.add(u.asText());
                    }
                });
                List<BridgeEvent> out = new ArrayList<>();
                for (Map.Entry<String, Boolean> change : typing.update(roomId, Set.copyOf(users)).entrySet()) {
                    out.add(new TypingEvent(meta(roomId, change.getKey(), null, now, lookups), change.getValue()));
                }
                return out;
            }
            case "m.receipt": {
                String roomId = Json.string(edu, "room_id").filter(MatrixInboundConverter::validRoomId).orElse(null);
                if (roomId == null) {
                    return List.of();
                }
                List<BridgeEvent> out = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    if (!validEventId(entry.getKey())) {
                        continue;
                    }
                    // Only public m.read: private receipts (m.read.private) stay private.
                    for (Iterator<Map.Entry<String, JsonNode>> readers = Json.obj(entry.getValue(), "m.read").fields();
                         readers.hasNext(); ) {
                        Map.Entry<String, JsonNode> reader = readers.next();
                        String user = reader.getKey();
                        if (!validUserId(user) || isBridgeUser.test(user)) {
                            continue;
                        }
                        JsonNode ts = reader.getValue().path("ts");
                        Instant when = ts.canConvertToLong() ? Instant.ofEpochMilli(ts.asLong()) : now;
                        out.add(new ReadMarkerEvent(meta(roomId, user, null, when, lookups),
                                RemoteMessageId.of(entry.getKey())));
                    }
                }
                return out;
            }
            case "m.presence": {
                String sender = Json.string(edu, "sender").filter(MatrixInboundConverter::validUserId).orElse(null);
                if (sender == null || isBridgeUser.test(sender)) {
                    return List.of();
                }
                Optional<Presence> presence = presence(Json.string(content, "presence").orElse(""));
                if (presence.isEmpty()) {
                    return List.of();
                }
                Profile profile = new Profile(Json.string(content, "displayname"),
                        Json.string(content, "avatar_url").flatMap(u -> media(u, lookups)));
                Optional<String> note = Json.string(content, "status_msg").filter(s -> !s.isBlank())
                        .map(s -> s.length() > 1024 ? s.substring(0, 1024) : s);
                return List.of(new PresenceEvent(user(sender), presence.get(), note, profile, now));
            }
            default:
                return List.of();
        }
    }

    /** Matrix presence to canonical: online = available, unavailable = away, offline; MSC3026 busy = DND. */
    static Optional<Presence> presence(String matrix) {
        return switch (matrix) {
            case "online" -> Optional.of(Presence.AVAILABLE);
            case "unavailable" -> Optional.of(Presence.AWAY);
            case "offline" -> Optional.of(Presence.OFFLINE);
            case "busy", "org.matrix.msc3026.busy" -> Optional.of(Presence.DO_NOT_DISTURB);
            default -> Optional.empty();
        };
    }

    // ---- messages ----------------------------------------------------------------------------

    private List<BridgeEvent> message(EventMeta meta, JsonNode content, Lookups lookups) {
        JsonNode relatesTo = Json.obj(content, "m.relates_to");
        String relType = Json.string(relatesTo, "rel_type").orElse("");
        if ("m.replace".equals(relType)) {
            Optional<String> target = Json.string(relatesTo, "event_id").filter(MatrixInboundConverter::validEventId);
            if (target.isEmpty()) {
                return List.of();
            }
            JsonNode newContent = Json.obj(content, "m.new_content");
            MessageBody body = newContent.isMissingNode()
                    ? stripEditMarker(body(content, false))
                    : body(newContent, false);
            if (body == null) {
                return List.of();
            }
            return List.of(new EditEvent(meta, RemoteMessageId.of(target.get()), body));
        }
        JsonNode inReplyTo = Json.obj(relatesTo, "m.in_reply_to");
        boolean fallingBack = relatesTo.path("is_falling_back").asBoolean(false);
        Optional<RemoteMessageId> replyTo = fallingBack ? Optional.empty()
                : Json.string(inReplyTo, "event_id").filter(MatrixInboundConverter::validEventId)
                .map(RemoteMessageId::of);
        // Strip the fallback whenever the event is a reply, even a thread's falling-back one.
        boolean isReply = Json.string(inReplyTo, "event_id").isPresent();
        String msgtype = Json.string(content, "msgtype").orElse("m.text");
        Optional<Attachment.Kind> attachmentKind = switch (msgtype) {
            case "m.image" -> Optional.of(Attachment.Kind.IMAGE);
            case "m.audio" -> Optional.of(Attachment.Kind.AUDIO);
            case "m.video" -> Optional.of(Attachment.Kind.VIDEO);
            case "m.file" -> Optional.of(Attachment.Kind.FILE);
            default -> Optional.empty();
        };
        if (attachmentKind.isPresent()) {
            return attachmentMessage(meta, content, attachmentKind.get(), replyTo, lookups);
        }
        MessageKind kind = switch (msgtype) {
            case "m.notice" -> MessageKind.NOTICE;
            case "m.emote" -> MessageKind.EMOTE;
            default -> MessageKind.TEXT;
        };
        MessageBody body = body(content, isReply);
        if (body == null) {
            return List.of();
        }
        return List.of(new MessageEvent(meta, kind, body, List.of(), replyTo));
    }

    private List<BridgeEvent> attachmentMessage(EventMeta meta, JsonNode content, Attachment.Kind kind,
                                                Optional<RemoteMessageId> replyTo, Lookups lookups) {
        Optional<URI> uri = Json.string(content, "url").flatMap(u -> media(u, lookups));
        if (uri.isEmpty()) {
            // An encrypted file ("file" instead of "url") or a broken event: nothing to fetch.
            return List.of();
        }
        String body = Json.string(content, "body").orElse("");
        Optional<String> fileName = Json.string(content, "filename").filter(f -> !f.isBlank());
        // Spec v1.10 media captions: with a distinct "filename", "body" is a caption.
        boolean captioned = fileName.isPresent() && !fileName.get().equals(body) && !body.isBlank();
        JsonNode info = Json.obj(content, "info");
        String mime = Json.string(info, "mimetype").filter(m -> m.matches("[\\w.+-]+/[\\w.+-]+"))
                .orElse("application/octet-stream");
        OptionalLong size = info.path("size").canConvertToLong() && info.path("size").asLong() >= 0
                ? OptionalLong.of(info.path("size").asLong()) : OptionalLong.empty();
        Attachment attachment = new Attachment(kind, uri.get(), mime,
                fileName.or(() -> Optional.of(body).filter(b -> !b.isBlank())), size);
        MessageBody caption = captioned ? body(content, false) : MessageBody.plain("");
        return List.of(new MessageEvent(meta, MessageKind.TEXT, caption == null ? MessageBody.plain("") : caption,
                List.of(attachment), replyTo));
    }

    private List<BridgeEvent> sticker(EventMeta meta, JsonNode content, Lookups lookups) {
        Optional<URI> uri = Json.string(content, "url").flatMap(u -> media(u, lookups));
        if (uri.isEmpty()) {
            return List.of();
        }
        String mime = Json.string(Json.obj(content, "info"), "mimetype").orElse("image/png");
        Attachment attachment = new Attachment(Attachment.Kind.IMAGE, uri.get(), mime,
                Json.string(content, "body").filter(b -> !b.isBlank()), OptionalLong.empty());
        return List.of(new MessageEvent(meta, MessageKind.TEXT, MessageBody.plain(""), List.of(attachment),
                Optional.empty()));
    }

    private List<BridgeEvent> reaction(EventMeta meta, JsonNode content) {
        JsonNode relatesTo = Json.obj(content, "m.relates_to");
        Optional<String> target = Json.string(relatesTo, "event_id").filter(MatrixInboundConverter::validEventId);
        Optional<String> key = Json.string(relatesTo, "key").filter(k -> !k.isEmpty() && k.length() <= 256);
        if (!"m.annotation".equals(Json.string(relatesTo, "rel_type").orElse("")) || target.isEmpty()
                || key.isEmpty()) {
            return List.of();
        }
        return List.of(new ReactionEvent(meta, RemoteMessageId.of(target.get()), key.get(), true));
    }

    private List<BridgeEvent> redaction(EventMeta meta, String roomId, String sender, JsonNode event,
                                        JsonNode content, Lookups lookups) {
        // Room versions up to 10 carry "redacts" at the top level; v11 moved it into the content.
        Optional<String> redacts = Json.string(content, "redacts").or(() -> Json.string(event, "redacts"))
                .filter(MatrixInboundConverter::validEventId);
        if (redacts.isEmpty()) {
            return List.of();
        }
        Optional<String> reason = Json.string(content, "reason").filter(r -> !r.isBlank());
        Optional<ReactionRef> reaction = lookups.reactionOf(roomId, redacts.get());
        if (reaction.isPresent()) {
            // Removing a reaction is redacting its m.annotation event.
            return List.of(new ReactionEvent(meta, RemoteMessageId.of(reaction.get().target()), reaction.get().key(),
                    false));
        }
        boolean moderation = lookups.authorOf(roomId, redacts.get()).map(author -> !author.equals(sender))
                .orElse(false);
        if (moderation && !lookups.mayRedactOthers(roomId, sender)) {
            // Not the author and below the room's redact level: Matrix does not apply it, neither do we
            // (the lookup logs the refusal).
            return List.of();
        }
        return List.of(new RetractionEvent(meta, RemoteMessageId.of(redacts.get()), moderation, reason));
    }

    private List<BridgeEvent> member(EventMeta meta, String sender, String subject, JsonNode content,
                                     JsonNode event, Lookups lookups) {
        if (!validUserId(subject)) {
            return List.of();
        }
        String membership = Json.string(content, "membership").orElse("");
        if (isBridgeUser.test(subject)) {
            // A ghost's own joins and leaves are the bridge's doing; invites of ghosts are handled by the
            // adapter (DMs, plumbing). A Matrix moderator kicking or banning a ghost acts on its person.
            Optional<UserRef> person = ghostPerson.apply(subject);
            boolean removal = membership.equals("ban") || (membership.equals("leave")
                    && !"ban".equals(Json.string(Json.obj(Json.obj(event, "unsigned"), "prev_content"), "membership")
                    .orElse("leave")));
            if (person.isEmpty() || sender.equals(subject) || !removal) {
                return List.of();
            }
            return List.of(new MembershipEvent(meta, person.get(),
                    membership.equals("ban") ? Membership.BAN : Membership.KICK,
                    Json.string(content, "reason").filter(r -> !r.isBlank())));
        }
        JsonNode prev = Json.obj(Json.obj(event, "unsigned"), "prev_content");
        String prevMembership = Json.string(prev, "membership").orElse("leave");
        Profile subjectProfile = new Profile(Json.string(content, "displayname"),
                Json.string(content, "avatar_url").flatMap(u -> media(u, lookups)));
        EventMeta m = sender.equals(subject) ? meta.withProfile(subjectProfile) : meta;
        UserRef subjectRef = user(subject);
        Optional<String> reason = Json.string(content, "reason").filter(r -> !r.isBlank());
        Membership change;
        switch (membership) {
            case "join":
                if ("join".equals(prevMembership)) {
                    Profile before = new Profile(Json.string(prev, "displayname"),
                            Json.string(prev, "avatar_url").flatMap(u -> media(u, lookups)));
                    if (before.equals(subjectProfile)) {
                        return List.of();
                    }
                    change = Membership.PROFILE_CHANGE;
                } else {
                    change = Membership.JOIN;
                }
                break;
            case "leave":
                if ("ban".equals(prevMembership) || ("leave".equals(prevMembership) && !sender.equals(subject))) {
                    return List.of(); // an unban, or a no-op
                }
                change = sender.equals(subject) ? Membership.LEAVE : Membership.KICK;
                break;
            case "ban":
                change = Membership.BAN;
                break;
            case "invite":
                change = Membership.INVITE;
                break;
            default:
                return List.of();
        }
        return List.of(new MembershipEvent(m, subjectRef, change, reason));
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** The plain and sanitised HTML body of a message content; null if it has no usable body. */
    static MessageBody body(JsonNode content, boolean stripReplyFallback) {
        Optional<String> plain = Json.string(content, "body");
        boolean isHtml = "org.matrix.custom.html".equals(Json.string(content, "format").orElse(""));
        String html = isHtml ? Json.string(content, "formatted_body")
                .map(h -> HtmlSanitizer.sanitize(h, stripReplyFallback)).orElse(null) : null;
        String text;
        if (plain.isPresent()) {
            text = stripReplyFallback ? ReplyFallback.stripPlain(plain.get()) : plain.get();
        } else if (html != null) {
            text = HtmlSanitizer.text(html);
        } else {
            return null;
        }
        return html == null ? MessageBody.plain(text) : MessageBody.html(text, html);
    }

    private static MessageBody stripEditMarker(MessageBody body) {
        if (body == null) {
            return null;
        }
        String plain = body.plain().startsWith("* ") ? body.plain().substring(2) : body.plain();
        return new MessageBody(plain, body.html());
    }

    private static String text(JsonNode content, String field) {
        String value = Json.string(content, field).orElse("");
        return value.length() > 4096 ? value.substring(0, 4096) : value;
    }

    private static Optional<URI> media(String mxc, Lookups lookups) {
        if (!mxc.startsWith("mxc://")) {
            return Optional.empty();
        }
        try {
            org.bridgeappliance.adapter.matrix.client.MatrixClient.parseMxc(mxc);
            return Optional.of(lookups.mediaUri(mxc));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private EventMeta meta(String roomId, String userId, String eventId, Instant ts, Lookups lookups) {
        Portal origin = new Portal(org.bridgeappliance.core.id.Network.of(NETWORK),
                org.bridgeappliance.core.id.RemoteRoomId.of(roomId));
        return new EventMeta(origin, user(userId), lookups.profileOf(roomId, userId),
                Optional.ofNullable(eventId).map(RemoteMessageId::of), ts);
    }

    private static UserRef user(String mxid) {
        return UserRef.of(NETWORK, mxid);
    }

    /** {@code @localpart:server}, at most 255 bytes (CS API "User identifiers"). */
    public static boolean validUserId(String id) {
        return id != null && id.length() <= MAX_ID_LENGTH && id.length() > 3 && id.charAt(0) == '@'
                && id.indexOf(':') > 1 && id.indexOf(':') < id.length() - 1 && noControl(id);
    }

    /** {@code !opaque:server}, or the server-less form of room version 12. */
    public static boolean validRoomId(String id) {
        return id != null && id.length() <= MAX_ID_LENGTH && id.length() > 1 && id.charAt(0) == '!' && noControl(id)
                && id.indexOf(' ') < 0 && id.indexOf('/') < 0;
    }

    public static boolean validEventId(String id) {
        return id != null && id.length() <= MAX_ID_LENGTH && id.length() > 1 && id.charAt(0) == '$' && noControl(id)
                && id.indexOf(' ') < 0;
    }

    private static boolean noControl(String s) {
        return s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }
}
