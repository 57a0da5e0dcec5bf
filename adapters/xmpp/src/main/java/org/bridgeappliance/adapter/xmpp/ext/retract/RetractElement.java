package org.bridgeappliance.adapter.xmpp.ext.retract;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.ext.base.NamedExtension;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * XEP-0424 Message Retraction v0.4 ({@code <retract id='…' xmlns='urn:xmpp:message-retract:1'/>}),
 * optionally carrying a XEP-0425 v0.3 moderation ({@code <moderated by='…'
 * xmlns='urn:xmpp:message-moderate:1'/>} and a {@code <reason/>}) when a room moderator removed
 * someone else's message. Immutable.
 */
public final class RetractElement extends NamedExtension {
    public static final String NAMESPACE = "urn:xmpp:message-retract:1";
    public static final String ELEMENT = "retract";
    public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, ELEMENT);
    public static final String MODERATE_NAMESPACE = "urn:xmpp:message-moderate:1";

    private final String id;
    private final String moderatedBy;
    private final String reason;

    public RetractElement(String id, String moderatedBy, String reason) {
        super(QNAME);
        this.id = Objects.requireNonNull(id, "id");
        this.moderatedBy = moderatedBy;
        this.reason = reason;
    }

    public static RetractElement retraction(String id) {
        return new RetractElement(id, null, null);
    }

    public String getId() {
        return id;
    }

    /** The moderator's occupant JID when this is a XEP-0425 moderation. */
    public Optional<String> getModeratedBy() {
        return Optional.ofNullable(moderatedBy);
    }

    public boolean isModeration() {
        return moderatedBy != null;
    }

    public Optional<String> getReason() {
        return Optional.ofNullable(reason);
    }

    public static RetractElement from(Message message) {
        return message.getExtension(RetractElement.class);
    }


    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosing) {
        XmlStringBuilder xml = new XmlStringBuilder(this, enclosing);
        xml.attribute("id", id);
        if (moderatedBy == null && reason == null) {
            return xml.closeEmptyElement();
        }
        xml.rightAngleBracket();
        if (moderatedBy != null) {
            xml.halfOpenElement("moderated").xmlnsAttribute(MODERATE_NAMESPACE).attribute("by", moderatedBy)
                    .closeEmptyElement();
        }
        xml.optElement("reason", reason);
        return xml.closeElement(this);
    }

    public static final class Provider extends ExtensionElementProvider<RetractElement> {
        @Override
        public RetractElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String id = parser.getAttributeValue("", "id");
            if (id == null || id.isEmpty()) {
                throw new XmlPullParserException("XEP-0424 <retract/> without id");
            }
            String by = null;
            String reason = null;
            while (true) {
                XmlPullParser.Event event = parser.next();
                if (event == XmlPullParser.Event.START_ELEMENT && parser.getDepth() == initialDepth + 1) {
                    if ("moderated".equals(parser.getName()) && MODERATE_NAMESPACE.equals(parser.getNamespace())) {
                        by = parser.getAttributeValue("", "by");
                        if (by == null) {
                            by = "";
                        }
                    } else if ("reason".equals(parser.getName())) {
                        reason = parser.nextText();
                    }
                } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                    break;
                }
            }
            return new RetractElement(id, by, reason);
        }
    }
}
