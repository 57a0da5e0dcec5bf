package org.bridgeappliance.adapter.xmpp.ext.muc;

import java.io.IOException;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;

/**
 * Parses the XEP-0045 join element ({@code <x xmlns='http://jabber.org/protocol/muc'>} with optional
 * {@code <history/>} and {@code <password/>}) into Smack's {@link MUCInitialPresence}. Smack, being a
 * client library, only ever writes it; a gateway room receives it.
 */
public final class MucJoinProvider extends ExtensionElementProvider<MUCInitialPresence> {
    @Override
    public MUCInitialPresence parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
            throws XmlPullParserException, IOException {
        String password = null;
        int maxChars = -1;
        int maxStanzas = -1;
        int seconds = -1;
        java.util.Date since = null;
        while (true) {
            XmlPullParser.Event event = parser.next();
            if (event == XmlPullParser.Event.START_ELEMENT && parser.getDepth() == initialDepth + 1) {
                if ("history".equals(parser.getName())) {
                    maxChars = intAttribute(parser, "maxchars");
                    maxStanzas = intAttribute(parser, "maxstanzas");
                    seconds = intAttribute(parser, "seconds");
                    since = dateAttribute(parser, "since");
                } else if ("password".equals(parser.getName())) {
                    password = parser.nextText();
                }
            } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                break;
            }
        }
        return new MUCInitialPresence(password, maxChars, maxStanzas, seconds, since);
    }

    /** A XEP-0082 date; a malformed one is ignored like a malformed number (the history limit is optional). */
    private static java.util.Date dateAttribute(XmlPullParser parser, String name) {
        String value = parser.getAttributeValue("", name);
        if (value == null || value.length() > 64) {
            return null;
        }
        try {
            return org.jxmpp.util.XmppDateTime.parseDate(value.trim());
        } catch (java.text.ParseException | RuntimeException e) {
            return null;
        }
    }

    private static int intAttribute(XmlPullParser parser, String name) {
        String value = parser.getAttributeValue("", name);
        if (value == null) {
            return -1;
        }
        try {
            return Math.max(-1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
