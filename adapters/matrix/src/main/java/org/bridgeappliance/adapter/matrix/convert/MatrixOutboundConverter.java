package org.bridgeappliance.adapter.matrix.convert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.jsoup.nodes.Entities;

/**
 * Canonical content to Matrix event content. Pure: ids, the quoted message of a reply and uploaded
 * media ({@code mxc://}) are resolved by the caller; this only builds JSON.
 *
 * <p>Every message carries an empty or explicit {@code m.mentions} (spec v1.7 intentional
 * mentions), so that bridged text never pings Matrix users by accident; a reply mentions the
 * replied-to author, as the spec asks.
 */
public final class MatrixOutboundConverter {
    public static final String HTML_FORMAT = "org.matrix.custom.html";

    private MatrixOutboundConverter() {
    }

    /** The Matrix msgtype of a message kind. */
    public static String msgtype(MessageKind kind) {
        return switch (kind) {
            case TEXT -> "m.text";
            case EMOTE -> "m.emote";
            case NOTICE -> "m.notice";
        };
    }

    /** The msgtype of an attachment. */
    public static String msgtype(Attachment.Kind kind) {
        return switch (kind) {
            case IMAGE -> "m.image";
            case AUDIO -> "m.audio";
            case VIDEO -> "m.video";
            case FILE -> "m.file";
        };
    }

    /**
     * An {@code m.room.message} content for a text, with a rich reply ({@code m.in_reply_to}) and its
     * fallback for older clients when {@code quoted} is known.
     *
     * @param replyTo the Matrix event answered and its author's MXID, if this is a reply
     */
    public static ObjectNode message(MessageKind kind, MessageBody body, Optional<ReplyTarget> replyTo) {
        ObjectNode content = Json.object().put("msgtype", msgtype(kind));
        String plain = body.plain();
        Optional<String> html = body.html().map(h -> Optional.ofNullable(HtmlSanitizer.sanitize(h, true)))
                .flatMap(h -> h);
        ObjectNode mentions = content.putObject("m.mentions");
        if (replyTo.isPresent()) {
            ReplyTarget target = replyTo.get();
            content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", target.eventId());
            mentions.putArray("user_ids").add(target.authorMxid());
            if (target.quoted().isPresent()) {
                ReplyFallback.Quoted quoted = target.quoted().get();
                plain = ReplyFallback.plain(quoted, plain);
                html = Optional.of(ReplyFallback.html(quoted, html.orElseGet(() -> escape(body.plain()))));
            }
        }
        content.put("body", plain);
        html.ifPresent(h -> content.put("format", HTML_FORMAT).put("formatted_body", h));
        return content;
    }

    /** The replied-to event on Matrix: its id, its author, and (for the fallback) its text if fetched. */
    public record ReplyTarget(String eventId, String authorMxid, Optional<ReplyFallback.Quoted> quoted) {
    }

    /**
     * An edit (CS API "Event replacements"): {@code m.new_content} holds the full replacement, the
     * outer body a {@code * }-prefixed fallback for clients without edit support.
     */
    public static ObjectNode edit(MessageKind kind, MessageBody newBody, String targetEventId) {
        ObjectNode newContent = message(kind, newBody, Optional.empty());
        ObjectNode content = Json.object().put("msgtype", msgtype(kind)).put("body", "* " + newBody.plain());
        if (newContent.has("formatted_body")) {
            content.put("format", HTML_FORMAT).put("formatted_body", "* " + newContent.get("formatted_body").asText());
        }
        content.set("m.new_content", newContent);
        content.putObject("m.relates_to").put("rel_type", "m.replace").put("event_id", targetEventId);
        content.putObject("m.mentions");
        return content;
    }

    /** An {@code m.reaction} annotating {@code targetEventId} with {@code key}. */
    public static ObjectNode reaction(String targetEventId, String key) {
        ObjectNode content = Json.object();
        content.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", targetEventId)
                .put("key", key);
        return content;
    }

    /** An {@code m.image}/{@code m.file}/... content for media already in the media repository. */
    public static ObjectNode attachment(Attachment attachment, String mxc) {
        String name = attachment.fileName().filter(n -> !n.isBlank()).orElseGet(() -> defaultName(attachment));
        ObjectNode content = Json.object().put("msgtype", msgtype(attachment.kind())).put("body", name)
                .put("filename", name).put("url", mxc);
        ObjectNode info = content.putObject("info").put("mimetype", attachment.mimeType());
        attachment.size().ifPresent(size -> info.put("size", size));
        content.putObject("m.mentions");
        return content;
    }

    /** A plain-text message linking to an attachment that could not be re-hosted. */
    public static ObjectNode attachmentLink(Attachment attachment) {
        String name = attachment.fileName().filter(n -> !n.isBlank()).orElseGet(() -> defaultName(attachment));
        String url = attachment.uri().toString();
        ObjectNode content = Json.object().put("msgtype", "m.text").put("body", name + ": " + url)
                .put("format", HTML_FORMAT)
                .put("formatted_body", "<a href=\"" + escape(url) + "\">" + escape(name) + "</a>");
        content.putObject("m.mentions");
        return content;
    }

    /** An {@code m.notice} from the bot answering {@code eventId} (delivery failures). */
    public static ObjectNode notice(String text, Optional<String> inReplyTo) {
        ObjectNode content = Json.object().put("msgtype", "m.notice").put("body", text);
        inReplyTo.ifPresent(id -> content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", id));
        content.putObject("m.mentions");
        return content;
    }

    /** Matrix presence of a canonical state: only online, unavailable and offline exist. */
    public static String presence(Presence presence) {
        return switch (presence) {
            case AVAILABLE -> "online";
            case AWAY, EXTENDED_AWAY, DO_NOT_DISTURB, ON_THE_PHONE -> "unavailable";
            case OFFLINE -> "offline";
        };
    }

    /** The status message: the person's note, or a word for states Matrix cannot express. */
    public static Optional<String> statusMessage(Presence presence, Optional<String> note) {
        if (note.isPresent()) {
            return note;
        }
        return switch (presence) {
            case DO_NOT_DISTURB -> Optional.of("Do not disturb");
            case ON_THE_PHONE -> Optional.of("On the phone");
            case EXTENDED_AWAY -> Optional.of("Extended away");
            default -> Optional.empty();
        };
    }

    /**
     * A deterministic client transaction id for one part of one delivery: a retried delivery sends
     * the same ids, so the homeserver de-duplicates it instead of posting twice.
     */
    public static String txnId(BridgeMessageId messageId, String step, int part) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(
                    (messageId.value() + "\u0000" + step + "\u0000" + part).getBytes(StandardCharsets.UTF_8));
            return "ba" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    static String escape(String text) {
        return Entities.escape(text).replace("\n", "<br>");
    }

    private static String defaultName(Attachment attachment) {
        return switch (attachment.kind()) {
            case IMAGE -> "image";
            case AUDIO -> "audio";
            case VIDEO -> "video";
            case FILE -> "file";
        };
    }
}
