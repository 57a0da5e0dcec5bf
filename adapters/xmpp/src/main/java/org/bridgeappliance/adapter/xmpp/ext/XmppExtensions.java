package org.bridgeappliance.adapter.xmpp.ext;

import org.bridgeappliance.adapter.xmpp.ext.fallback.FallbackElement;
import org.bridgeappliance.adapter.xmpp.ext.occupantid.OccupantIdElement;
import org.bridgeappliance.adapter.xmpp.ext.oob.OobElement;
import org.bridgeappliance.adapter.xmpp.ext.reactions.ReactionsElement;
import org.bridgeappliance.adapter.xmpp.ext.reply.ReplyElement;
import org.bridgeappliance.adapter.xmpp.ext.retract.RetractElement;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.provider.ProviderManager;

/**
 * Registers the providers of the XEPs Smack 4.4 lacks (or ships in an outdated version) with Smack's
 * {@link ProviderManager}, so {@code PacketParserUtils} parses them like any other extension.
 * Smack's provider registry is process-wide by design; registration is idempotent.
 */
public final class XmppExtensions {
    private static volatile boolean registered;

    private XmppExtensions() {
    }

    /** Registers once; cheap to call again. Thread-safe. */
    public static void register() {
        if (registered) {
            return;
        }
        synchronized (XmppExtensions.class) {
            if (registered) {
                return;
            }
            // Smack's own providers (extensions, experimental) load first; ours replace outdated ones
            // (Smack 4.4's fallback element predates XEP-0428's 'for' attribute).
            SmackConfiguration.getVersion();
            ProviderManager.addExtensionProvider(ReactionsElement.ELEMENT, ReactionsElement.NAMESPACE,
                    new ReactionsElement.Provider());
            ProviderManager.addExtensionProvider(ReplyElement.ELEMENT, ReplyElement.NAMESPACE, new ReplyElement.Provider());
            ProviderManager.addExtensionProvider(FallbackElement.ELEMENT, FallbackElement.NAMESPACE,
                    new FallbackElement.Provider());
            ProviderManager.addExtensionProvider(RetractElement.ELEMENT, RetractElement.NAMESPACE,
                    new RetractElement.Provider());
            ProviderManager.addExtensionProvider(OobElement.ELEMENT, OobElement.NAMESPACE, new OobElement.Provider());
            ProviderManager.addExtensionProvider(OccupantIdElement.ELEMENT, OccupantIdElement.NAMESPACE,
                    new OccupantIdElement.Provider());
            ProviderManager.addExtensionProvider("x", "http://jabber.org/protocol/muc",
                    new org.bridgeappliance.adapter.xmpp.ext.muc.MucJoinProvider());
            registered = true;
        }
    }
}
