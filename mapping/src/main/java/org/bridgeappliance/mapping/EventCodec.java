package org.bridgeappliance.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;

/**
 * The JSON form of canonical {@link RoomEvent}s in the outbox.
 *
 * <p>Every document carries {@code "v"} (the format version, {@value #VERSION}) and {@code "type"}
 * (one of {@code message, edit, retraction, reaction, typing, read_marker, membership, room_info}).
 * Fields are mapped one by one, in both directions, on Jackson's tree model: the type name selects
 * a record of the sealed {@link RoomEvent} hierarchy in a {@code switch} on a string, so a stored document can
 * never name a Java class to instantiate (no polymorphic default typing). Absent optional values
 * are omitted; instants are ISO-8601 strings, exact to the nanosecond.
 *
 * <p>Changing the format: add a field as optional in the same version; anything else raises
 * {@link #VERSION} and keeps a decoder for the older versions, because entries written by the old
 * release may still be pending at an upgrade.
 *
 * <p>Thread-safe and stateless.
 */
public final class EventCodec {
    /** The format version written by {@link #encode}. */
    public static final int VERSION = 1;
    /** The largest document accepted in either direction (the outbox column holds 1,000,000). */
    public static final int MAX_DOCUMENT_LENGTH = 1_000_000;

    private final ObjectMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(16)
                            .maxStringLength(MAX_DOCUMENT_LENGTH)
                            .maxNumberLength(32)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Encodes an event.
     *
     * @throws EventCodecException if the document would be longer than {@link #MAX_DOCUMENT_LENGTH}
     */
    public String encode(RoomEvent event) {
        ObjectNode root = mapper.createObjectNode();
        root.put("v", VERSION);
        root.put("type", typeName(event));
        root.set("meta", meta(event.meta()));
        // instanceof chain, not a pattern switch: the baseline is Java 17.
        if (event instanceof MessageEvent m) {
            root.put("kind", m.kind().name());
            root.set("body", body(m.body()));
            ArrayNode attachments = root.putArray("attachments");
            for (Attachment a : m.attachments()) {
                ObjectNode node = attachments.addObject();
                node.put("kind", a.kind().name());
                node.put("uri", a.uri().toString());
                node.put("mimeType", a.mimeType());
                a.fileName().ifPresent(f -> node.put("fileName", f));
                a.size().ifPresent(s -> node.put("size", s));
            }
            m.replyTo().ifPresent(r -> root.put("replyTo", r.value()));
        } else if (event instanceof EditEvent e) {
            root.put("target", e.target().value());
            root.set("newBody", body(e.newBody()));
        } else if (event instanceof RetractionEvent r) {
            root.put("target", r.target().value());
            root.put("moderation", r.moderation());
            r.reason().ifPresent(s -> root.put("reason", s));
        } else if (event instanceof ReactionEvent r) {
            root.put("target", r.target().value());
            root.put("key", r.key());
            root.put("added", r.added());
        } else if (event instanceof TypingEvent t) {
            root.put("typing", t.typing());
        } else if (event instanceof ReadMarkerEvent r) {
            root.put("upTo", r.upTo().value());
        } else if (event instanceof MembershipEvent m) {
            root.set("subject", user(m.subject()));
            root.put("membership", m.membership().name());
            m.reason().ifPresent(s -> root.put("reason", s));
        } else if (event instanceof RoomInfoEvent i) {
            i.name().ifPresent(s -> root.put("name", s));
            i.topic().ifPresent(s -> root.put("topic", s));
            i.avatar().ifPresent(u -> root.put("avatar", u.toString()));
        }
        String json;
        try {
            json = mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new EventCodecException("cannot encode " + typeName(event) + " event", e);
        }
        if (json.length() > MAX_DOCUMENT_LENGTH) {
            throw new EventCodecException(typeName(event) + " event too large to store: " + json.length()
                    + " characters, at most " + MAX_DOCUMENT_LENGTH);
        }
        return json;
    }

    /**
     * Decodes a document written by {@link #encode}.
     *
     * @throws EventCodecException if it is not one, says which field is wrong
     */
    public RoomEvent decode(String json) {
        if (json == null) {
            throw new EventCodecException("no document");
        }
        if (json.length() > MAX_DOCUMENT_LENGTH) {
            throw new EventCodecException("document longer than " + MAX_DOCUMENT_LENGTH + " characters");
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the input: keep it out, the event may hold private text.
            throw new EventCodecException("not a JSON document (at line " + line(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new EventCodecException("not a JSON object");
        }
        JsonNode version = root.get("v");
        if (version == null || !version.isInt()) {
            throw new EventCodecException("missing or invalid format version \"v\"");
        }
        if (version.intValue() != VERSION) {
            throw new EventCodecException("unsupported format version " + version.intValue()
                    + " (this release reads " + VERSION + ")");
        }
        String type = text(root, "type");
        try {
            EventMeta meta = meta(object(root, "meta"));
            return switch (type) {
                case "message" -> new MessageEvent(meta,
                        enumValue(root, "kind", MessageKind::valueOf),
                        body(object(root, "body")),
                        attachments(root),
                        optionalText(root, "replyTo").map(RemoteMessageId::of));
                case "edit" -> new EditEvent(meta, RemoteMessageId.of(text(root, "target")),
                        body(object(root, "newBody")));
                case "retraction" -> new RetractionEvent(meta, RemoteMessageId.of(text(root, "target")),
                        bool(root, "moderation"), optionalText(root, "reason"));
                case "reaction" -> new ReactionEvent(meta, RemoteMessageId.of(text(root, "target")),
                        text(root, "key"), bool(root, "added"));
                case "typing" -> new TypingEvent(meta, bool(root, "typing"));
                case "read_marker" -> new ReadMarkerEvent(meta, RemoteMessageId.of(text(root, "upTo")));
                case "membership" -> new MembershipEvent(meta, user(object(root, "subject")),
                        enumValue(root, "membership", MembershipEvent.Membership::valueOf),
                        optionalText(root, "reason"));
                case "room_info" -> new RoomInfoEvent(meta, optionalText(root, "name"), optionalText(root, "topic"),
                        optionalText(root, "avatar").map(s -> uri(s, "avatar")));
                default -> throw new EventCodecException("unknown event type \"" + type + "\"");
            };
        } catch (EventCodecException e) {
            throw new EventCodecException(type + " event: " + e.getMessage(), e);
        } catch (IllegalArgumentException | NullPointerException e) {
            // A record's own validation (blank id, sender not on the origin network, ...).
            throw new EventCodecException(type + " event: invalid value: " + e.getMessage(), e);
        }
    }

    /** The {@code "type"} discriminator of an event. */
    public static String typeName(RoomEvent event) {
        Objects.requireNonNull(event, "event");
        if (event instanceof MessageEvent) {
            return "message";
        } else if (event instanceof EditEvent) {
            return "edit";
        } else if (event instanceof RetractionEvent) {
            return "retraction";
        } else if (event instanceof ReactionEvent) {
            return "reaction";
        } else if (event instanceof TypingEvent) {
            return "typing";
        } else if (event instanceof ReadMarkerEvent) {
            return "read_marker";
        } else if (event instanceof MembershipEvent) {
            return "membership";
        } else if (event instanceof RoomInfoEvent) {
            return "room_info";
        }
        // RoomEvent is sealed: only a new permitted subtype added without a codec update gets here.
        throw new EventCodecException("no JSON form for " + event.getClass().getSimpleName());
    }

    // --- encoding helpers ---

    private ObjectNode meta(EventMeta meta) {
        ObjectNode node = mapper.createObjectNode();
        ObjectNode origin = node.putObject("origin");
        origin.put("network", meta.origin().network().value());
        origin.put("room", meta.origin().room().value());
        node.set("sender", user(meta.sender()));
        ObjectNode profile = node.putObject("profile");
        meta.profile().displayName().ifPresent(n -> profile.put("displayName", n));
        meta.profile().avatar().ifPresent(u -> profile.put("avatar", u.toString()));
        meta.remoteId().ifPresent(r -> node.put("remoteId", r.value()));
        node.put("timestamp", meta.timestamp().toString());
        return node;
    }

    private ObjectNode user(UserRef user) {
        ObjectNode node = mapper.createObjectNode();
        node.put("network", user.network().value());
        node.put("user", user.user().value());
        return node;
    }

    private ObjectNode body(MessageBody body) {
        ObjectNode node = mapper.createObjectNode();
        node.put("plain", body.plain());
        body.html().ifPresent(h -> node.put("html", h));
        return node;
    }

    // --- decoding helpers: each names the field it rejects ---

    private static EventMeta meta(JsonNode node) {
        JsonNode origin = object(node, "origin");
        JsonNode profile = object(node, "profile");
        return new EventMeta(
                new Portal(Network.of(text(origin, "network")), RemoteRoomId.of(text(origin, "room"))),
                user(object(node, "sender")),
                new Profile(optionalText(profile, "displayName"),
                        optionalText(profile, "avatar").map(s -> uri(s, "profile.avatar"))),
                optionalText(node, "remoteId").map(RemoteMessageId::of),
                instant(text(node, "timestamp")));
    }

    private static UserRef user(JsonNode node) {
        return new UserRef(Network.of(text(node, "network")), RemoteUserId.of(text(node, "user")));
    }

    private static MessageBody body(JsonNode node) {
        return new MessageBody(text(node, "plain"), optionalText(node, "html"));
    }

    private static List<Attachment> attachments(JsonNode root) {
        JsonNode array = root.get("attachments");
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new EventCodecException("\"attachments\" is not an array");
        }
        List<Attachment> result = new ArrayList<>(array.size());
        for (JsonNode a : array) {
            if (!a.isObject()) {
                throw new EventCodecException("an attachment is not an object");
            }
            JsonNode size = a.get("size");
            OptionalLong sizeValue = OptionalLong.empty();
            if (size != null && !size.isNull()) {
                if (!size.isIntegralNumber() || !size.canConvertToLong()) {
                    throw new EventCodecException("attachment \"size\" is not an integer");
                }
                sizeValue = OptionalLong.of(size.longValue());
            }
            result.add(new Attachment(
                    enumValue(a, "kind", Attachment.Kind::valueOf),
                    uri(text(a, "uri"), "attachment uri"),
                    text(a, "mimeType"),
                    optionalText(a, "fileName"),
                    sizeValue));
        }
        return result;
    }

    private static JsonNode object(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new EventCodecException("missing or invalid object \"" + field + "\"");
        }
        return node;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isTextual()) {
            throw new EventCodecException("missing or invalid string \"" + field + "\"");
        }
        return node.textValue();
    }

    private static Optional<String> optionalText(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new EventCodecException("\"" + field + "\" is not a string");
        }
        return Optional.of(node.textValue());
    }

    private static boolean bool(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isBoolean()) {
            throw new EventCodecException("missing or invalid boolean \"" + field + "\"");
        }
        return node.booleanValue();
    }

    private static <E extends Enum<E>> E enumValue(JsonNode parent, String field, Function<String, E> valueOf) {
        String name = text(parent, field);
        try {
            return valueOf.apply(name);
        } catch (IllegalArgumentException e) {
            throw new EventCodecException("unknown value of \"" + field + "\": " + name);
        }
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new EventCodecException("\"timestamp\" is not an ISO-8601 instant");
        }
    }

    private static URI uri(String value, String field) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new EventCodecException("\"" + field + "\" is not a URI");
        }
    }

    private static int line(JsonProcessingException e) {
        return e.getLocation() == null ? -1 : e.getLocation().getLineNr();
    }
}
