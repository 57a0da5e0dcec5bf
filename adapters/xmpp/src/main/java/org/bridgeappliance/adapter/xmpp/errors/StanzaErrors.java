package org.bridgeappliance.adapter.xmpp.errors;

import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.core.port.EventIngress;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.util.StringUtils;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Errors in XMPP's own terms (RFC 6120 §8.3): what the bridge answers when it cannot take a stanza,
 * so nothing is dropped silently. Never answers an error with an error (§8.3.1). Pure.
 */
public final class StanzaErrors {
    /** The longest original body echoed back inside an error message. */
    static final int MAX_ECHOED_BODY = 2000;

    private StanzaErrors() {
    }

    public static StanzaError error(StanzaError.Condition condition, String text) {
        StanzaError.Builder builder = StanzaError.getBuilder(condition);
        if (text != null && !text.isEmpty()) {
            builder.setDescriptiveEnText(text);
        }
        return builder.build();
    }

    /**
     * The stanza error for an {@link EventIngress.Acceptance} that means "not bridged"; empty for the
     * accepting outcomes (QUEUED, DUPLICATE, ECHO).
     */
    public static Optional<StanzaError> forAcceptance(EventIngress.Acceptance acceptance) {
        return switch (acceptance) {
            case NOT_BRIDGED -> Optional.of(error(StanzaError.Condition.item_not_found,
                    "This conversation is not bridged."));
            case UNKNOWN_REFERENCE -> Optional.of(error(StanzaError.Condition.item_not_found,
                    "The message this refers to is unknown to the bridge."));
            default -> Optional.empty();
        };
    }

    /** The bridge could not queue the stanza (its store is down): retry later (type wait). */
    public static StanzaError unavailable() {
        return error(StanzaError.Condition.resource_constraint, "The bridge cannot accept messages right now; retry later.");
    }

    /**
     * The error answer to {@code original}: addresses swapped, same id, type error, the error element
     * and (for messages) the original body. Empty when {@code original} is itself an error or has no
     * sender to answer.
     */
    public static Optional<Stanza> replyTo(Stanza original, StanzaError error) {
        if (original.getFrom() == null || original.getError() != null) {
            return Optional.empty();
        }
        if (original instanceof IQ iq) {
            if (iq.getType() == IQ.Type.error || iq.getType() == IQ.Type.result) {
                return Optional.empty();
            }
            return Optional.of(IQ.createErrorResponse(iq, error));
        }
        if (original instanceof Message m) {
            if (m.getType() == Message.Type.error) {
                return Optional.empty();
            }
            var b = StanzaBuilder.buildMessage(m.getStanzaId()).ofType(Message.Type.error).from(m.getTo())
                    .to(m.getFrom()).setError(error);
            if (m.getBody() != null) {
                b.setBody(truncate(m.getBody()));
            }
            return Optional.of(b.build());
        }
        if (original instanceof Presence p) {
            if (p.getType() == Presence.Type.error) {
                return Optional.empty();
            }
            return Optional.of(StanzaBuilder.buildPresence(p.getStanzaId()).ofType(Presence.Type.error)
                    .from(p.getTo()).to(p.getFrom()).setError(error).build());
        }
        return Optional.empty();
    }

    /**
     * The error answer to a stanza Smack could not parse, written from its raw header; empty when the
     * header has no valid addresses to answer or is itself an error.
     */
    public static Optional<String> replyToUnparseable(StreamElement.StanzaHeader header, StanzaError error) {
        if ("error".equals(header.type()) || "result".equals(header.type()) || header.from() == null
                || header.to() == null) {
            return Optional.empty();
        }
        Jid from;
        Jid to;
        try {
            from = JidCreate.from(header.to());
            to = JidCreate.from(header.from());
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return Optional.empty();
        }
        StringBuilder xml = new StringBuilder(256).append('<').append(header.kind()).append(" type='error'");
        if (header.id() != null) {
            xml.append(" id='").append(StringUtils.escapeForXmlAttributeApos(header.id())).append('\'');
        }
        xml.append(" from='").append(StringUtils.escapeForXmlAttributeApos(from.toString())).append('\'')
                .append(" to='").append(StringUtils.escapeForXmlAttributeApos(to.toString())).append("'>")
                .append(error.toXML(org.bridgeappliance.adapter.xmpp.component.ComponentConnection.OUTBOUND_ENVIRONMENT))
                .append("</").append(header.kind()).append('>');
        return Optional.of(xml.toString());
    }

    private static String truncate(String body) {
        return body.length() <= MAX_ECHOED_BODY ? body : body.substring(0, MAX_ECHOED_BODY) + "…";
    }
}
