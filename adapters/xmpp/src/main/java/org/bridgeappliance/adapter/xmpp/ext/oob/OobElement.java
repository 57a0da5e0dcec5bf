package org.bridgeappliance.adapter.xmpp.ext.oob;

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
 * XEP-0066 Out of Band Data ({@code <x xmlns='jabber:x:oob'><url/><desc/></x>}): how XMPP clients
 * send files uploaded with XEP-0363; by convention the body repeats the URL. Immutable.
 */
public final class OobElement extends NamedExtension {
    public static final String NAMESPACE = "jabber:x:oob";
    public static final String ELEMENT = "x";
    public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, ELEMENT);
    public static final int MAX_URL_CHARS = 4096;

    private final String url;
    private final String desc;

    public OobElement(String url, String desc) {
        super(QNAME);
        this.url = Objects.requireNonNull(url, "url");
        this.desc = desc;
    }

    public String getUrl() {
        return url;
    }

    public Optional<String> getDesc() {
        return Optional.ofNullable(desc);
    }

    public static OobElement from(Message message) {
        return message.getExtension(OobElement.class);
    }


    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosing) {
        XmlStringBuilder xml = new XmlStringBuilder(this, enclosing);
        xml.rightAngleBracket();
        xml.element("url", url);
        xml.optElement("desc", desc);
        return xml.closeElement(this);
    }

    public static final class Provider extends ExtensionElementProvider<OobElement> {
        @Override
        public OobElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String url = null;
            String desc = null;
            while (true) {
                XmlPullParser.Event event = parser.next();
                if (event == XmlPullParser.Event.START_ELEMENT && parser.getDepth() == initialDepth + 1) {
                    if ("url".equals(parser.getName())) {
                        url = parser.nextText().strip();
                    } else if ("desc".equals(parser.getName())) {
                        desc = parser.nextText();
                    }
                } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                    break;
                }
            }
            if (url == null || url.isEmpty() || url.length() > MAX_URL_CHARS) {
                throw new XmlPullParserException("XEP-0066 <x/> without a usable url");
            }
            return new OobElement(url, desc);
        }
    }
}
