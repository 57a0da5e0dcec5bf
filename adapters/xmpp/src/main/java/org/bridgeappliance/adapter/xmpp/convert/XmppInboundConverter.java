package org.bridgeappliance.adapter.xmpp.convert;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.bridgeappliance.adapter.xmpp.ext.fallback.FallbackElement;
import org.bridgeappliance.adapter.xmpp.ext.oob.OobElement;
import org.bridgeappliance.adapter.xmpp.ext.reactions.ReactionsElement;
import org.bridgeappliance.adapter.xmpp.ext.reply.ReplyElement;
import org.bridgeappliance.adapter.xmpp.ext.retract.RetractElement;
import org.bridgeappliance.adapter.xmpp.format.Html;
import org.bridgeappliance.adapter.xmpp.format.Styling;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smackx.chat_markers.element.ChatMarkersElements;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.message_fastening.element.FasteningElement;
import org.jivesoftware.smackx.receipts.DeliveryReceiptRequest;
import org.jivesoftware.smackx.xhtmlim.packet.XHTMLExtension;

/**
 * XMPP message stanzas to canonical events. Pure: everything it needs beyond the stanza comes in
 * the {@link Context}; no I/O, no clock, thread-safe.
 *
 * <p>Precedence, one stanza being one user action: a retraction or moderation (XEP-0424/0425), else
 * a reaction set (XEP-0444, reconciled by the caller against what is stored), else a correction
 * (XEP-0308), else a message (body, XEP-0393 styling or XEP-0071 XHTML-IM, XEP-0066 attachments,
 * XEP-0461 reply with its XEP-0428 fallback removed), else a displayed marker (XEP-0333) or a chat
 * state (XEP-0085). Delivery receipts (XEP-0184) carry no canonical meaning and are ignored. A subject
 * change in a groupchat is a {@link RoomInfoEvent}.
 */
public final class XmppInboundConverter {
    /** Namespaces whose XEP-0428 fallback text is removed from bodies because the feature is mapped. */
    static final Set<String> MAPPED_FALLBACKS = Set.of(ReplyElement.NAMESPACE, RetractElement.NAMESPACE,
            "urn:xmpp:message-retract:0", ReactionsElement.NAMESPACE, "urn:xmpp:message-moderate:1");
    private static final String LEGACY_MODERATE_NS = "urn:xmpp:message-moderate:0";
    private static final String STYLING_NS = "urn:xmpp:styling:0";

    /**
     * What the adapter knows about the stanza.
     *
     * @param origin             the portal it arrived in
     * @param sender             its author on XMPP
     * @param profile            the author's name (MUC nick) and avatar
     * @param remoteId           the id this message is known by in the portal (stanza-id in a MUC,
     *                           message id in 1:1), chosen by the adapter
     * @param receivedAt         when the bridge received it (used without a XEP-0203 delay stamp)
     * @param groupchat          true in a MUC (subject changes are room info there)
     * @param correctionTarget   maps a XEP-0308 {@code replace id} to the id the portal knows the
     *                           corrected message by (in a MUC, message id to stanza-id)
     * @param moderationTrusted  true only when the stanza comes from the bridged MUC's own bare JID (the room
     *                           itself, which alone may announce a XEP-0425 moderation); anywhere else (an
     *                           occupant, a gateway room joiner, a 1:1 chat) a {@code <moderated/>} claim is
     *                           not believed and the stanza is at most a retraction of the sender's own message
     */
    public record Context(Portal origin, UserRef sender, Profile profile, Optional<RemoteMessageId> remoteId,
                          Instant receivedAt, boolean groupchat, UnaryOperator<String> correctionTarget,
                          boolean moderationTrusted) {
        public Context {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(profile, "profile");
            Objects.requireNonNull(remoteId, "remoteId");
            Objects.requireNonNull(receivedAt, "receivedAt");
            Objects.requireNonNull(correctionTarget, "correctionTarget");
        }

        /** A context in which moderation claims are not believed. */
        public Context(Portal origin, UserRef sender, Profile profile, Optional<RemoteMessageId> remoteId,
                       Instant receivedAt, boolean groupchat, UnaryOperator<String> correctionTarget) {
            this(origin, sender, profile, remoteId, receivedAt, groupchat, correctionTarget, false);
        }

        /** A context in which moderation claims are not believed. */
        public Context(Portal origin, UserRef sender, Profile profile, Optional<RemoteMessageId> remoteId,
                       Instant receivedAt, boolean groupchat) {
            this(origin, sender, profile, remoteId, receivedAt, groupchat, UnaryOperator.identity(), false);
        }
    }

    /** A XEP-0444 reaction set: the sender's complete reactions to {@code target} after this stanza. */
    public record ReactionSet(EventMeta meta, RemoteMessageId target, Set<String> keys) {
        public ReactionSet {
            keys = Set.copyOf(keys);
        }
    }

    /**
     * The outcome.
     *
     * @param events        canonical events to submit, in order
     * @param reactions     a reaction set to reconcile, when the stanza was one
     * @param wantsReceipt  the sender asked for a XEP-0184 receipt
     */
    public record Result(List<RoomEvent> events, Optional<ReactionSet> reactions, boolean wantsReceipt) {
        public Result {
            events = List.copyOf(events);
            Objects.requireNonNull(reactions, "reactions");
        }

        public boolean isEmpty() {
            return events.isEmpty() && reactions.isEmpty();
        }
    }

    public Result convert(Message message, Context context) {
        Instant timestamp = timestamp(message, context.receivedAt());
        EventMeta meta = new EventMeta(context.origin(), context.sender(), context.profile(), context.remoteId(),
                timestamp);
        boolean wantsReceipt = message.getType() != Message.Type.groupchat
                && DeliveryReceiptRequest.from(message) != null && message.getStanzaId() != null;
        List<RoomEvent> events = new ArrayList<>(1);

        Optional<RetractionEvent> retraction = retraction(message, meta, context.moderationTrusted());
        if (retraction.isPresent()) {
            return new Result(List.of(retraction.get()), Optional.empty(), wantsReceipt);
        }
        ReactionsElement reactions = ReactionsElement.from(message);
        if (reactions != null) {
            return new Result(List.of(), Optional.of(new ReactionSet(meta, RemoteMessageId.of(reactions.getId()),
                    new LinkedHashSet<>(reactions.getReactions()))), wantsReceipt);
        }
        String rawBody = message.getBody();
        Optional<MessageBody> body = body(message, rawBody);
        MessageCorrectExtension correction = MessageCorrectExtension.from(message);
        if (correction != null && body.isPresent()) {
            String target = context.correctionTarget().apply(correction.getIdInitialMessage());
            events.add(new EditEvent(meta, RemoteMessageId.of(target), stripMe(body.get())));
            return new Result(events, Optional.empty(), wantsReceipt);
        }
        List<Attachment> attachments = attachments(message);
        if (body.isPresent() || !attachments.isEmpty()) {
            MessageBody text = body.orElse(MessageBody.plain(""));
            MessageKind kind = MessageKind.TEXT;
            if (text.plain().startsWith("/me ")) {
                kind = MessageKind.EMOTE;
                text = stripMe(text);
            }
            // XEP-0066 by convention repeats the URL as the body: it is the attachment, not text.
            for (Attachment a : attachments) {
                if (text.plain().strip().equals(a.uri().toString())) {
                    text = MessageBody.plain("");
                }
            }
            ReplyElement reply = ReplyElement.from(message);
            Optional<RemoteMessageId> replyTo = reply == null ? Optional.empty()
                    : Optional.of(RemoteMessageId.of(reply.getId()));
            events.add(new MessageEvent(meta, kind, text, attachments, replyTo));
            return new Result(events, Optional.empty(), wantsReceipt);
        }
        if (context.groupchat() && message.getSubject() != null && rawBody == null) {
            events.add(new RoomInfoEvent(meta, Optional.empty(), Optional.of(message.getSubject()), Optional.empty()));
            return new Result(events, Optional.empty(), false);
        }
        ChatMarkersElements.DisplayedExtension displayed = ChatMarkersElements.DisplayedExtension.from(message);
        if (displayed != null && displayed.getId() != null && !displayed.getId().isEmpty()) {
            events.add(new ReadMarkerEvent(meta, RemoteMessageId.of(displayed.getId())));
            return new Result(events, Optional.empty(), false);
        }
        // Smack 4.4's ChatStateExtension has no QNAME, so it cannot be looked up by class.
        for (ExtensionElement ext : message.getExtensions()) {
            if (ext instanceof ChatStateExtension state) {
                events.add(new TypingEvent(meta, state.getChatState() == ChatState.composing));
                break;
            }
        }
        return new Result(events, Optional.empty(), false);
    }

    private static MessageBody stripMe(MessageBody body) {
        if (!body.plain().startsWith("/me ")) {
            return body;
        }
        return new MessageBody(body.plain().substring(4), body.html().map(h -> h.startsWith("/me ") ? h.substring(4) : h));
    }

    /**
     * A retraction (XEP-0424) or, when {@code trusted}, a moderation (XEP-0425). An untrusted moderation claim
     * becomes a plain retraction: the core then finds the target only among the sender's own messages.
     */
    private static Optional<RetractionEvent> retraction(Message message, EventMeta meta, boolean trusted) {
        RetractElement retract = RetractElement.from(message);
        if (retract != null) {
            boolean moderation = trusted && retract.isModeration();
            return Optional.of(new RetractionEvent(meta, RemoteMessageId.of(retract.getId()), moderation,
                    retract.getReason().filter(r -> !r.isBlank())));
        }
        // XEP-0424 v0.2 / XEP-0425 v0.2 (Smack 4.4, older clients and servers): fastened payloads.
        // Looked up by name: FasteningElement has no QNAME, and Smack's class lookup then throws and
        // catches an exception on every call (a quarter of the inbound cost in the benchmark).
        ExtensionElement applyTo = message.getExtensionElement("apply-to", "urn:xmpp:fasten:0");
        FasteningElement fastening = applyTo instanceof FasteningElement f ? f : null;
        if (fastening != null && fastening.getReferencedStanzasOriginId() != null) {
            String id = fastening.getReferencedStanzasOriginId().getId();
            for (ExtensionElement payload : fastening.getWrappedPayloads()) {
                if (payload instanceof org.jivesoftware.smackx.message_retraction.element.RetractElement) {
                    return Optional.of(new RetractionEvent(meta, RemoteMessageId.of(id), false, Optional.empty()));
                }
                if (LEGACY_MODERATE_NS.equals(payload.getNamespace())) {
                    if (!trusted) {
                        return Optional.of(new RetractionEvent(meta, RemoteMessageId.of(id), false, Optional.empty()));
                    }
                    Optional<String> reason = Optional.empty();
                    if (payload instanceof StandardExtensionElement std && std.getFirstElement("reason") != null) {
                        reason = Optional.ofNullable(std.getFirstElement("reason").getText()).filter(r -> !r.isBlank());
                    }
                    return Optional.of(new RetractionEvent(meta, RemoteMessageId.of(id), true, reason));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The moderator named by a XEP-0425 moderation ({@code <moderated by='room@service/nick'/>}, v0.3 or the
     * fastened v0.2 form), if the stanza is one. Meaningful only in a stanza from the room's own bare JID.
     */
    public static Optional<String> moderator(Message message) {
        RetractElement retract = RetractElement.from(message);
        if (retract != null) {
            return retract.getModeratedBy();
        }
        if (message.getExtensionElement("apply-to", "urn:xmpp:fasten:0") instanceof FasteningElement fastening) {
            for (ExtensionElement payload : fastening.getWrappedPayloads()) {
                if (LEGACY_MODERATE_NS.equals(payload.getNamespace()) && payload instanceof StandardExtensionElement std) {
                    return Optional.of(Objects.requireNonNullElse(std.getAttributeValue("by"), ""));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<MessageBody> body(Message message, String rawBody) {
        if (rawBody == null) {
            return Optional.empty();
        }
        String plain = FallbackElement.stripFallbacks(rawBody, FallbackElement.allFrom(message), MAPPED_FALLBACKS);
        if (plain.isBlank()) {
            return Optional.empty();
        }
        boolean strippedFallback = !plain.equals(rawBody);
        XHTMLExtension xhtml = XHTMLExtension.from(message);
        if (xhtml != null && !xhtml.getBodies().isEmpty() && !strippedFallback) {
            String html = Html.sanitize(xhtml.getBodies().get(0).toString());
            if (!html.isBlank()) {
                return Optional.of(MessageBody.html(plain, html));
            }
        }
        if (message.hasExtension("unstyled", STYLING_NS)) {
            return Optional.of(MessageBody.plain(plain));
        }
        return Optional.of(Styling.toHtml(plain).map(h -> MessageBody.html(plain, h)).orElse(MessageBody.plain(plain)));
    }

    private static List<Attachment> attachments(Message message) {
        List<Attachment> out = new ArrayList<>(1);
        for (OobElement oob : message.getExtensions(OobElement.class)) {
            try {
                URI uri = new URI(oob.getUrl());
                String scheme = uri.getScheme();
                if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))) {
                    continue; // only fetchable links become attachments
                }
                String path = uri.getPath() == null ? "" : uri.getPath();
                String name = path.substring(path.lastIndexOf('/') + 1);
                String mime = Optional.ofNullable(URLConnection.guessContentTypeFromName(name))
                        .orElse("application/octet-stream");
                Attachment.Kind kind = mime.startsWith("image/") ? Attachment.Kind.IMAGE
                        : mime.startsWith("audio/") ? Attachment.Kind.AUDIO
                        : mime.startsWith("video/") ? Attachment.Kind.VIDEO : Attachment.Kind.FILE;
                out.add(new Attachment(kind, uri, mime, Optional.of(name).filter(n -> !n.isEmpty()), OptionalLong.empty()));
            } catch (URISyntaxException e) {
                // not a link we can hand on; the body still carries it as text
            }
        }
        return out;
    }

    private static Instant timestamp(Message message, Instant receivedAt) {
        DelayInformation delay = DelayInformation.from(message);
        if (delay != null && delay.getStamp() != null) {
            Instant stamp = delay.getStamp().toInstant();
            // A stamp from the future is not believed (clock skew or a hostile client).
            return stamp.isAfter(receivedAt) ? receivedAt : stamp;
        }
        return receivedAt;
    }

    /**
     * XMPP presence to canonical availability (mapping table in DESIGN.md): no show or chat is
     * available, away, xa, dnd map one to one, unavailable is offline.
     */
    public static Presence presence(org.jivesoftware.smack.packet.Presence presence) {
        if (presence.getType() == org.jivesoftware.smack.packet.Presence.Type.unavailable) {
            return Presence.OFFLINE;
        }
        org.jivesoftware.smack.packet.Presence.Mode mode = presence.getMode();
        if (mode == null) {
            return Presence.AVAILABLE;
        }
        return switch (mode) {
            case away -> Presence.AWAY;
            case xa -> Presence.EXTENDED_AWAY;
            case dnd -> Presence.DO_NOT_DISTURB;
            default -> Presence.AVAILABLE;
        };
    }

    /** A canonical presence event for an XMPP user's presence stanza. */
    public PresenceEvent convertPresence(org.jivesoftware.smack.packet.Presence presence, UserRef sender, Profile profile,
                                         Instant receivedAt) {
        Optional<String> note = Optional.ofNullable(presence.getStatus()).filter(s -> !s.isBlank());
        return new PresenceEvent(sender, presence(presence), note, profile, receivedAt);
    }
}
