package org.bridgeappliance.adapter.xmpp.ext.occupantid;

import java.io.IOException;
import java.util.Objects;
import org.bridgeappliance.adapter.xmpp.ext.base.NamedExtension;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * XEP-0421 Anonymous unique occupant identifiers: a stable id the MUC service assigns to each
 * occupant, even in semi-anonymous rooms; used to identify senders whose real JID is hidden.
 * Immutable.
 */
public final class OccupantIdElement extends NamedExtension {
    public static final String NAMESPACE = "urn:xmpp:occupant-id:0";
    public static final String ELEMENT = "occupant-id";
    public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, ELEMENT);

    private final String id;

    public OccupantIdElement(String id) {
        super(QNAME);
        this.id = Objects.requireNonNull(id, "id");
    }

    public String getId() {
        return id;
    }

    public static OccupantIdElement from(Stanza stanza) {
        return stanza.getExtension(OccupantIdElement.class);
    }


    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosing) {
        return new XmlStringBuilder(this, enclosing).attribute("id", id).closeEmptyElement();
    }

    public static final class Provider extends ExtensionElementProvider<OccupantIdElement> {
        @Override
        public OccupantIdElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String id = parser.getAttributeValue("", "id");
            while (!(parser.getEventType() == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth)) {
                parser.next();
            }
            if (id == null || id.isEmpty()) {
                throw new XmlPullParserException("XEP-0421 <occupant-id/> without id");
            }
            return new OccupantIdElement(id);
        }
    }
}
