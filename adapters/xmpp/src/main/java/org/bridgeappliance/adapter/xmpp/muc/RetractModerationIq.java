package org.bridgeappliance.adapter.xmpp.muc;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;

/** The XEP-0425 v0.3 moderation request ({@code <moderate xmlns='urn:xmpp:message-moderate:1'>}). */
final class RetractModerationIq extends IQ {
    static final String NAMESPACE = "urn:xmpp:message-moderate:1";
    private final StandardExtensionElement moderate;

    RetractModerationIq(StandardExtensionElement moderate) {
        super("moderate", NAMESPACE);
        this.moderate = moderate;
    }

    @Override
    protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
        xml.attribute("id", moderate.getAttributeValue("id"));
        xml.rightAngleBracket();
        for (StandardExtensionElement child : moderate.getElements()) {
            xml.append(child.toXML(org.jivesoftware.smack.packet.XmlEnvironment.EMPTY));
        }
        return xml;
    }
}
