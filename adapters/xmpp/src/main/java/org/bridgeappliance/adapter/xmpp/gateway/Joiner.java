package org.bridgeappliance.adapter.xmpp.gateway;

import org.jxmpp.jid.EntityFullJid;

/** An XMPP user in a gateway room: their full JID and nick. */
record Joiner(EntityFullJid jid, String nick) {
}
