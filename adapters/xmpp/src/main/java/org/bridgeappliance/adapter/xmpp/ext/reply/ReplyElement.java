package org.bridgeappliance.adapter.xmpp.ext.reply;

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
 * XEP-0461 Message Replies: {@code <reply to='…' id='…' xmlns='urn:xmpp:reply:0'/>}. {@code id} is the
 * answered message's stanza-id in a MUC and its message id in 1:1 chats; {@code to} is its author's
 * full JID (optional). Immutable.
 */
public final class ReplyElement extends NamedExtension {
    public static final String NAMESPACE = "urn:xmpp:reply:0";
    public static final String ELEMENT = "reply";
    public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, ELEMENT);

    private final String to;
    private final String id;

    public ReplyElement(String to, String id) {
        super(QNAME);
        this.to = to;
        this.id = Objects.requireNonNull(id, "id");
    }

    public Optional<String> getTo() {
        return Optional.ofNullable(to);
    }

    public String getId() {
        return id;
    }

    public static ReplyElement from(Message message) {
        return message.getExtension(ReplyElement.class);
    }


    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosing) {
        XmlStringBuilder xml = new XmlStringBuilder(this, enclosing);
        xml.optAttribute("to", to);
        xml.attribute("id", id);
        return xml.closeEmptyElement();
    }

    public static final class Provider extends ExtensionElementProvider<ReplyElement> {
        @Override
        public ReplyElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String id = parser.getAttributeValue("", "id");
            if (id == null || id.isEmpty()) {
                throw new XmlPullParserException("XEP-0461 <reply/> without id");
            }
            String to = parser.getAttributeValue("", "to");
            skip(parser, initialDepth);
            return new ReplyElement(to, id);
        }
    }

    static void skip(XmlPullParser parser, int depth) throws XmlPullParserException, IOException {
        while (!(parser.getEventType() == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == depth)) {
            parser.next();
        }
    }
}
