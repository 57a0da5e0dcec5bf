package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Occupant;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.State;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridged MUCs: which rooms are joined (in line with the room directory and the allowed MUC services), what
 * happens to all of them when the stream comes and goes, XEP-0410 self-pings that find occupants a room forgot,
 * and a bridged person's availability shown in every room their puppet is in.
 */
final class MucRooms {
    private static final Logger LOG = LoggerFactory.getLogger(MucRooms.class);

    private final XmppSettings settings;
    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final MucServices services;
    private final Network network;
    private final MucOccupancy occupancy;
    private final Map<EntityBareJid, MucRoom> rooms = new ConcurrentHashMap<>();
    /** Mapped rooms refused because of their service, logged once each (bounded by the admin's mappings). */
    private final Set<String> refusedRooms = ConcurrentHashMap.newKeySet();

    /**
     * Where a room's relaying resumes after a restart: the time of the newest message the bridge archived for
     * that MUC's bridged room, if any. The listener's first join then asks for the history since then (XEP-0045
     * section 7.2.15), so what XMPP users said while the appliance was down is bridged; what was relayed already
     * is dropped by the core's de-duplication (the room's stanza-ids, XEP-0359).
     */
    private volatile Function<EntityBareJid, Optional<Instant>> resumePoint = jid -> Optional.empty();

    MucRooms(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, MucServices services,
             Network network, MucOccupancy occupancy) {
        this.settings = settings;
        this.sender = sender;
        this.puppets = puppets;
        this.services = Objects.requireNonNull(services, "services");
        this.network = network;
        this.occupancy = occupancy;
    }

    /** Sets {@link #resumePoint}; called once at start, before the first {@link #sync}. */
    void resumeFrom(Function<EntityBareJid, Optional<Instant>> resumePoint) {
        this.resumePoint = Objects.requireNonNull(resumePoint, "resumePoint");
    }

    /** The room a stanza from {@code from} belongs to, if it is a bridged MUC. */
    MucRoom get(Jid from) {
        return from == null ? null : rooms.get(from.asEntityBareJidIfPossible());
    }

    Collection<MucRoom> all() {
        return rooms.values();
    }

    boolean isBridgedMuc(Jid bare) {
        return bare != null && rooms.containsKey(bare.asEntityBareJidIfPossible());
    }

    boolean isMucPortal(String roomId) {
        if (roomId.startsWith("dm:") || roomId.contains(" ")) {
            return false;
        }
        try {
            EntityBareJid jid = JidCreate.entityBareFrom(roomId);
            return !puppets.addressing().isOnComponent(jid);
        } catch (XmppStringprepException e) {
            return false;
        }
    }

    /** The room for a portal room id, created (and its listener joining) on first use. */
    MucRoom room(String roomId) {
        EntityBareJid jid;
        try {
            jid = JidCreate.entityBareFrom(roomId);
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("not a MUC address: " + roomId, e);
        }
        if (!services.allows(jid)) {
            throw new PermanentDeliveryException("MUC service " + jid.getDomain()
                    + " is not in bridge.xmpp.muc-services " + services.domains());
        }
        return rooms.computeIfAbsent(jid, j -> {
            MucRoom room = new MucRoom(j, network);
            try {
                room.lastSeen = resumePoint.apply(j).orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("no resume point for {} (its history is not replayed): {}", j, e.toString());
            }
            Occupant listener = occupancy.newListener(room);
            if (sender.isConnected()) {
                occupancy.startJoin(room, listener);
            }
            return room;
        });
    }

    void sync(Collection<String> mucRoomIds) {
        Set<EntityBareJid> wanted = new HashSet<>();
        for (String id : mucRoomIds) {
            if (isMucPortal(id) && !services.allows(id)) {
                if (refusedRooms.add(id)) {
                    LOG.warn("not joining {}: its MUC service is not in bridge.xmpp.muc-services {}", id,
                            services.domains());
                }
            } else if (isMucPortal(id)) {
                MucRoom room = room(id);
                wanted.add(room.jid);
                Occupant listener = room.ours.get(occupancy.listenerJid());
                if (listener != null && listener.state == State.LEFT && sender.isConnected()) {
                    occupancy.startJoin(room, listener);
                }
            }
        }
        for (MucRoom room : List.copyOf(rooms.values())) {
            if (!wanted.contains(room.jid)) {
                occupancy.leave(room);
                room.dropped = true;
                rooms.remove(room.jid);
            }
        }
    }

    void connected() {
        for (MucRoom room : rooms.values()) {
            room.participants.clear();
            for (Occupant o : room.ours.values()) {
                if (o.state != State.BANNED) {
                    o.state = State.LEFT;
                    occupancy.startJoin(room, o);
                }
            }
        }
    }

    void disconnected() {
        for (MucRoom room : rooms.values()) {
            room.listener = null;
            for (Occupant o : room.ours.values()) {
                if (o.state != State.BANNED) {
                    o.state = State.LEFT;
                }
            }
            room.pending.values().forEach(f -> f.completeExceptionally(new NotConnectedException("disconnected")));
            room.pending.clear();
        }
    }

    void leaveAll() {
        rooms.values().forEach(occupancy::leave);
    }

    void selfPing() {
        for (MucRoom room : rooms.values()) {
            for (Occupant o : room.ours.values()) {
                if (o.state != State.JOINED) {
                    continue;
                }
                Ping ping;
                try {
                    ping = new Ping(JidCreate.fullFrom(room.jid, Resourcepart.from(o.nick)));
                } catch (XmppStringprepException e) {
                    continue;
                }
                ping.setFrom(o.jid);
                sender.request(ping, settings.joinTimeout()).whenComplete((iq, error) -> {
                    if (iq != null && iq.getType() == IQ.Type.error && iq.getError() != null) {
                        StanzaError.Condition c = iq.getError().getCondition();
                        // XEP-0410 §3: these mean "not joined"; service-unavailable etc. mean "joined".
                        if (c == StanzaError.Condition.not_acceptable || c == StanzaError.Condition.item_not_found) {
                            LOG.warn("{} is no longer in {} ({}); rejoining", o.nick, room.jid, c);
                            o.state = State.LEFT;
                            occupancy.elect(room);
                            occupancy.startJoin(room, o);
                        }
                    }
                });
            }
        }
    }

    void presence(UserRef person, Presence.Mode mode, Optional<String> status, boolean offline) {
        for (MucRoom room : rooms.values()) {
            for (Occupant o : room.ours.values()) {
                if (person.equals(o.person) && o.state == State.JOINED && !offline) {
                    try {
                        var p = StanzaBuilder.buildPresence().from(o.jid)
                                .to(JidCreate.fullFrom(room.jid, Resourcepart.from(o.nick))).setMode(mode)
                                .addExtension(puppets.photoUpdate(person));
                        status.ifPresent(p::setStatus);
                        sender.send(p.build());
                    } catch (XmppStringprepException | NotConnectedException e) {
                        LOG.debug("presence not sent: {}", e.toString());
                    }
                }
            }
        }
    }

    Map<String, List<String>> occupants() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (MucRoom room : rooms.values()) {
            List<String> nicks = new ArrayList<>();
            for (Occupant o : room.ours.values()) {
                if (o.state == State.JOINED) {
                    nicks.add(o.nick);
                }
            }
            out.put(room.jid.toString(), nicks);
        }
        return out;
    }

    Optional<Jid> listener(String room) {
        try {
            return Optional.ofNullable(rooms.get(JidCreate.entityBareFrom(room))).map(r -> r.listener);
        } catch (XmppStringprepException e) {
            return Optional.empty();
        }
    }
}
