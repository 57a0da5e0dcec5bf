package org.bridgeappliance.adapter.xmpp.convert;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.ext.fallback.FallbackElement;
import org.bridgeappliance.adapter.xmpp.ext.oob.OobElement;
import org.bridgeappliance.adapter.xmpp.ext.reactions.ReactionsElement;
import org.bridgeappliance.adapter.xmpp.ext.reply.ReplyElement;
import org.bridgeappliance.adapter.xmpp.ext.retract.RetractElement;
import org.bridgeappliance.adapter.xmpp.format.Html;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.Delivery;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smackx.chat_markers.element.ChatMarkersElements;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.hints.element.NoStoreHint;
import org.jivesoftware.smackx.hints.element.StoreHint;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.receipts.DeliveryReceiptRequest;
import org.jivesoftware.smackx.sid.element.OriginIdElement;
import org.jivesoftware.smackx.xhtmlim.packet.XHTMLExtension;
import org.jxmpp.jid.Jid;

/**
 * Canonical events to XMPP message stanzas. Pure: the adapter supplies addresses and, for
 * reactions, the author's full reaction set (XEP-0444 replaces the set on every change); no I/O,
 * thread-safe.
 *
 * <p>Every message gets an XEP-0359 origin-id equal to its stanza id (the id XMPP clients refer to
 * in 1:1 chats), is markable (XEP-0333), asks for a receipt in 1:1 chats (XEP-0184) and carries an
 * XEP-0203 delay stamp when it is delivered more than {@link #DELAY_THRESHOLD} after it happened.
 * Replies use XEP-0461 without a quote fallback, so no foreign quoting leaks into bodies.
 */
public final class XmppOutboundConverter {
    public static final Duration DELAY_THRESHOLD = Duration.ofSeconds(30);
    static final String RETRACT_FALLBACK =
            "This person attempted to retract a previous message, but it's unsupported by your client.";
    private static final String LEGACY_FASTEN_NS = "urn:xmpp:fasten:0";
    private static final String LEGACY_RETRACT_NS = "urn:xmpp:message-retract:0";

    /**
     * Where the stanza goes.
     *
     * @param from        the puppet's full JID (or occupant JID in a gateway room)
     * @param to          the MUC, the user, or an occupant's real JID
     * @param type        chat or groupchat
     * @param stanzaId    the id to give the stanza (also its origin-id)
     * @param now         the delivery time, for XEP-0203
     * @param replyToJid  the JID to name in a XEP-0461 reply, when known
     * @param moderator   for a moderation in a room the bridge serves: the moderator's occupant JID
     */
    public record Target(Jid from, Jid to, Message.Type type, String stanzaId, Instant now,
                         Optional<String> replyToJid, Optional<String> moderator) {
        public Target {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(stanzaId, "stanzaId");
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(replyToJid, "replyToJid");
            Objects.requireNonNull(moderator, "moderator");
        }

        public Target(Jid from, Jid to, Message.Type type, String stanzaId, Instant now) {
            this(from, to, type, stanzaId, now, Optional.empty(), Optional.empty());
        }
    }

    /**
     * The stanza for {@code delivery}; empty for events that are not messages on XMPP (membership is
     * presence, handled by the adapter).
     *
     * @param reactionSet for a {@link ReactionEvent}: the author's complete set after this change
     * @throws IllegalArgumentException when the delivery lacks a reference the event needs
     */
    public Optional<Message> convert(Delivery delivery, Target target, Set<String> reactionSet) {
        RoomEvent event = delivery.event();
        MessageBuilder b = StanzaBuilder.buildMessage(target.stanzaId()).from(target.from()).to(target.to())
                .ofType(target.type());
        if (event instanceof MessageEvent m) {
            message(b, m, delivery, target);
        } else if (event instanceof EditEvent e) {
            String original = reference(delivery, "an edit");
            body(b, e.newBody(), MessageKind.TEXT, target.type());
            b.addExtension(new MessageCorrectExtension(original));
            common(b, target, event.timestamp(), true);
        } else if (event instanceof RetractionEvent r) {
            String original = reference(delivery, "a retraction");
            b.addExtension(new RetractElement(original, target.moderator().orElse(null),
                    target.moderator().isPresent() ? r.reason().orElse(null) : null));
            b.addExtension(StandardExtensionElement.builder("apply-to", LEGACY_FASTEN_NS).addAttribute("id", original)
                    .addElement(StandardExtensionElement.builder("retract", LEGACY_RETRACT_NS).build()).build());
            b.addExtension(new FallbackElement(RetractElement.NAMESPACE, List.of()));
            b.setBody(RETRACT_FALLBACK);
            StoreHint.set(b);
        } else if (event instanceof ReactionEvent) {
            String original = reference(delivery, "a reaction");
            b.addExtension(new ReactionsElement(original, reactionSet));
            StoreHint.set(b);
        } else if (event instanceof TypingEvent t) {
            b.addExtension(new ChatStateExtension(t.typing() ? ChatState.composing : ChatState.active));
            b.addExtension(NoStoreHint.INSTANCE);
        } else if (event instanceof ReadMarkerEvent) {
            String upTo = reference(delivery, "a read marker");
            b.addExtension(new ChatMarkersElements.DisplayedExtension(upTo));
            StoreHint.set(b);
        } else if (event instanceof RoomInfoEvent info) {
            if (info.topic().isEmpty() || target.type() != Message.Type.groupchat) {
                return Optional.empty();
            }
            b.setSubject(info.topic().get());
        } else {
            return Optional.empty();
        }
        return Optional.of(b.build());
    }

    private static String reference(Delivery delivery, String what) {
        return delivery.reference().map(r -> r.first().value())
                .orElseThrow(() -> new IllegalArgumentException(what + " without a reference to its message"));
    }

    private void message(MessageBuilder b, MessageEvent m, Delivery delivery, Target target) {
        MessageBody body = m.body();
        String plain = body.plain();
        List<Attachment> attachments = m.attachments();
        if (!attachments.isEmpty()) {
            // XEP-0066: one OOB element; its URL is also the body so that every client shows a link
            // (and Conversations/Dino render the file inline when body == url).
            Attachment first = attachments.get(0);
            b.addExtension(new OobElement(first.uri().toString(), first.fileName().orElse(null)));
            StringBuilder text = new StringBuilder();
            if (!plain.isBlank() && !plain.equals(first.fileName().orElse(""))) {
                text.append(plain).append('\n');
            }
            for (Attachment a : attachments) {
                text.append(a.uri()).append('\n');
            }
            b.setBody(text.toString().strip());
        } else {
            body(b, body, m.kind(), target.type());
        }
        delivery.replyTo().ifPresent(r -> b.addExtension(new ReplyElement(target.replyToJid().orElse(null),
                r.first().value())));
        common(b, target, m.timestamp(), true);
    }

    private static void body(MessageBuilder b, MessageBody body, MessageKind kind, Message.Type type) {
        String prefix = kind == MessageKind.EMOTE ? "/me " : "";
        b.setBody(prefix + body.plain());
        body.html().map(Html::toXhtml).filter(x -> !x.isBlank()).ifPresent(xhtml -> {
            XHTMLExtension ext = new XHTMLExtension();
            ext.addBody("<body xmlns='http://www.w3.org/1999/xhtml'>" + Html.toXhtml(prefix) + xhtml + "</body>");
            b.addExtension(ext);
        });
    }

    private static void common(MessageBuilder b, Target target, Instant happened, boolean markable) {
        b.addExtension(new OriginIdElement(target.stanzaId()));
        if (markable) {
            b.addExtension(ChatMarkersElements.MarkableExtension.INSTANCE);
        }
        if (target.type() == Message.Type.chat) {
            b.addExtension(new DeliveryReceiptRequest());
            b.addExtension(new ChatStateExtension(ChatState.active));
        }
        if (Duration.between(happened, target.now()).compareTo(DELAY_THRESHOLD) > 0) {
            b.addExtension(new DelayInformation(Date.from(happened)));
        }
    }

    /** Canonical availability to XMPP {@code <show/>} (DESIGN.md table); empty show is available. */
    public static org.jivesoftware.smack.packet.Presence.Mode show(Presence presence) {
        return switch (presence) {
            case AWAY, ON_THE_PHONE -> org.jivesoftware.smack.packet.Presence.Mode.away;
            case EXTENDED_AWAY -> org.jivesoftware.smack.packet.Presence.Mode.xa;
            case DO_NOT_DISTURB -> org.jivesoftware.smack.packet.Presence.Mode.dnd;
            default -> org.jivesoftware.smack.packet.Presence.Mode.available;
        };
    }

    /** The XMPP status text for a canonical presence: the note, or "On the phone" when there is none. */
    public static Optional<String> status(Presence presence, Optional<String> note) {
        if (note.isPresent()) {
            return note;
        }
        return presence == Presence.ON_THE_PHONE ? Optional.of("On the phone") : Optional.empty();
    }
}
