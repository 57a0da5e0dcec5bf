package org.bridgeappliance.adapter.xmpp.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.xmpp.limits.Lru;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;

/**
 * One gateway room as this run knows it: its joiners (XMPP users in the room), the members of the other network
 * the bridge has seen (by nick, capped) and the subject. Joiners and members are touched on the inbound thread
 * and the router's room thread (concurrent collections).
 */
final class Room {
    final EntityBareJid jid;
    final Portal portal;
    final Map<EntityFullJid, Joiner> joiners = new ConcurrentHashMap<>();
    /** Matrix members by nick, capped: the least recently active go first (and leave the joiners' view). */
    final Lru<UserRef, String> members;
    volatile String subject = "";

    Room(EntityBareJid jid, Network network, int maxMembers) {
        this.jid = jid;
        this.portal = portal(jid, network);
        this.members = new Lru<>(maxMembers);
    }

    static Portal portal(EntityBareJid jid, Network network) {
        return new Portal(network, RemoteRoomId.of(jid.toString()));
    }

    boolean nickTaken(String nick, EntityBareJid except) {
        return members.containsValue(nick) || joiners.values().stream()
                .anyMatch(j -> j.nick().equals(nick) && !j.jid().asEntityBareJid().equals(except));
    }
}
