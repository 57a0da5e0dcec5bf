package org.bridgeappliance.adapter.xmpp.gateway;

import java.io.IOException;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.parsing.SmackParsingException;
import org.jivesoftware.smack.provider.IQProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;
import org.jivesoftware.smackx.mam.element.MamQueryIQ;
import org.jivesoftware.smackx.rsm.packet.RSMSet;
import org.jivesoftware.smackx.rsm.provider.RSMSetProvider;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jivesoftware.smackx.xdata.provider.DataFormProvider;

/**
 * Parses a XEP-0313 {@code <query xmlns='urn:xmpp:mam:2'>} with its XEP-0059 {@code <set>}: Smack 4.4's own
 * {@code MamQueryIQProvider} keeps only the data form and drops the RSM element, which made paging impossible.
 * The RSM set is attached to the IQ as an extension ({@code query.getExtension(RSMSet.class)}).
 */
final class MamQueryProvider extends IQProvider<MamQueryIQ> {
    private static volatile boolean installed;

    /** Replaces Smack's provider for {@code query/urn:xmpp:mam:2} (idempotent). */
    static void install() {
        if (!installed) {
            synchronized (MamQueryProvider.class) {
                if (!installed) {
                    ProviderManager.addIQProvider(MamQueryIQ.ELEMENT, MamQueryIQ.NAMESPACE, new MamQueryProvider());
                    installed = true;
                }
            }
        }
    }

    @Override
    public MamQueryIQ parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
            throws XmlPullParserException, IOException, SmackParsingException {
        String queryId = parser.getAttributeValue("", "queryid");
        String node = parser.getAttributeValue("", "node");
        DataForm form = null;
        RSMSet rsm = null;
        while (true) {
            XmlPullParser.Event event = parser.next();
            if (event == XmlPullParser.Event.START_ELEMENT) {
                String name = parser.getName();
                String ns = parser.getNamespace();
                if (DataForm.ELEMENT.equals(name) && DataForm.NAMESPACE.equals(ns)) {
                    form = DataFormProvider.INSTANCE.parse(parser);
                } else if (RSMSet.ELEMENT.equals(name) && RSMSet.NAMESPACE.equals(ns)) {
                    rsm = RSMSetProvider.INSTANCE.parse(parser);
                }
            } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                break;
            } else if (event == XmlPullParser.Event.END_DOCUMENT) {
                throw new IOException("document ended inside a MAM query");
            }
        }
        MamQueryIQ query = new MamQueryIQ(queryId, node, form);
        if (rsm != null) {
            query.addExtension(rsm);
        }
        return query;
    }
}
