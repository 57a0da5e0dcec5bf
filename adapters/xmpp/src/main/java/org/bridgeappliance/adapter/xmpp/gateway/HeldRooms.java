package org.bridgeappliance.adapter.xmpp.gateway;

import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.limits.Lru;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.core.id.Network;
import org.jxmpp.jid.EntityBareJid;

/**
 * The gateway rooms held in memory in this run, capped ({@code bridge.xmpp.max-gateway-rooms}); a room with joiners
 * is never dropped (its joiners would vanish). Thread-safe.
 */
final class HeldRooms {
    private final Lru<EntityBareJid, Room> rooms;
    private final Network network;
    private final int maxMembers;

    HeldRooms(XmppLimits limits, Network network) {
        this.rooms = new Lru<>(limits.maxGatewayRooms(), r -> r.joiners.isEmpty());
        this.network = network;
        this.maxMembers = limits.maxGatewayMembers();
    }

    /**
     * The room held for {@code jid}, created if there is room for it; empty when the cap is reached and every
     * room held has joiners. Only for rooms that are bridged (a join after provisioning, a delivery): stanzas to
     * unknown rooms never create an entry.
     */
    Optional<Room> room(EntityBareJid jid) {
        return rooms.getOrCreate(jid, j -> new Room(j, network, maxMembers));
    }

    /** The room held for {@code jid} if any, without creating it. */
    Room existing(EntityBareJid jid) {
        return rooms.get(jid);
    }

    /** Holds {@code room} again (it was evicted between its creation and its first joiner). */
    void put(EntityBareJid jid, Room room) {
        rooms.put(jid, room);
    }

    /** A room not held (the cap reached and every held room joined): it has no joiners to tell. */
    Room detached(EntityBareJid jid) {
        return new Room(jid, network, maxMembers);
    }

    java.util.Collection<Room> values() {
        return rooms.values();
    }
}
