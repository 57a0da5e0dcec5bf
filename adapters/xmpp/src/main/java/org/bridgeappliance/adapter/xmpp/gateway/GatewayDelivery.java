package org.bridgeappliance.adapter.xmpp.gateway;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.muc.ReactionSets;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * What the core delivers to a gateway room: memberships (members of the other network appear and leave as
 * occupants), the topic as the subject, and messages, edits, reactions and retractions from the member's occupant
 * JID to every joiner, under the canonical message id as id and stanza-id (the archive shows the same id, so
 * clients page seamlessly from live messages into history and MAM; retries resend the same id). Router threads.
 */
final class GatewayDelivery {
    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final XmppOutboundConverter outbound;
    private final BridgeStores stores;
    private final Clock clock;
    private final HeldRooms rooms;
    private final OccupantStanzas out;

    GatewayDelivery(StanzaSender sender, PuppetDirectory puppets, XmppOutboundConverter outbound, BridgeStores stores,
                    Clock clock, HeldRooms rooms, OccupantStanzas out) {
        this.sender = sender;
        this.puppets = puppets;
        this.outbound = outbound;
        this.stores = stores;
        this.clock = clock;
        this.rooms = rooms;
        this.out = out;
    }

    public DeliveryReceipt deliver(Delivery delivery) {
        EntityBareJid roomJid;
        try {
            roomJid = JidCreate.entityBareFrom(delivery.target().room().value());
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("not a gateway room: " + delivery.target().room(), e);
        }
        // A room with no place in memory (the cap reached, every held room joined) has no joiners to tell.
        Room room = rooms.room(roomJid).orElseGet(() -> rooms.detached(roomJid));
        RoomEvent event = delivery.event();
        if (event instanceof MembershipEvent m) {
            switch (m.membership()) {
                case JOIN, PROFILE_CHANGE -> member(room, m.subject(), m.meta().profile());
                case LEAVE, KICK, BAN -> {
                    String nick = room.members.remove(m.subject());
                    if (nick != null) {
                        room.joiners.values().forEach(j -> out.send(out.memberPresence(room, m.subject(), nick,
                                Presence.Type.unavailable, j.jid())));
                    }
                }
                default -> {
                }
            }
            return DeliveryReceipt.NONE;
        }
        if (event instanceof RoomInfoEvent info) {
            info.topic().ifPresent(topic -> {
                room.subject = topic;
                String nick = member(room, info.sender(), info.meta().profile());
                room.joiners.values().forEach(j -> out.send(StanzaBuilder.buildMessage().ofType(Message.Type.groupchat)
                        .from(out.occupant(room, nick)).to(j.jid()).setSubject(topic).build()));
            });
            return DeliveryReceipt.NONE;
        }
        String nick = member(room, event.sender(), event.meta().profile());
        // The canonical id as message id and stanza-id: the archive (history, MAM) shows the same id, so
        // clients page seamlessly from live messages into the archive; retries resend the same id.
        String id = delivery.messageId().value();
        Optional<String> moderator = Optional.empty();
        if (event instanceof RetractionEvent r && r.moderation()) {
            moderator = Optional.of(out.occupant(room, nick).toString());
        }
        var target = new XmppOutboundConverter.Target(out.occupant(room, nick), room.jid, Message.Type.groupchat, id,
                clock.instant(), Optional.empty(), moderator);
        Set<String> reactionSet = ReactionSets.forDelivery(stores.messages(), stores.reactions(), delivery);
        Optional<Message> stanza;
        try {
            stanza = outbound.convert(delivery, target, reactionSet);
        } catch (IllegalArgumentException e) {
            throw new PermanentDeliveryException(e.getMessage(), e);
        }
        if (stanza.isEmpty()) {
            return DeliveryReceipt.NONE;
        }
        if (moderator.isPresent()) {
            // XEP-0425: the room announces moderations itself.
            stanza = Optional.of(stanza.get().asBuilder(id).from(room.jid).build());
        }
        MessageBuilder withId = stanza.get().asBuilder(id);
        withId.addExtension(new StanzaIdElement(id, room.jid.toString()));
        Message template = withId.build();
        if (!sender.isConnected(roomJid.getDomain().toString())) {
            throw new TransientDeliveryException("XMPP component not connected", null);
        }
        for (Joiner j : room.joiners.values()) {
            out.send(template.asBuilder(id).to(j.jid()).build());
        }
        return event instanceof MessageEvent || event instanceof EditEvent ? DeliveryReceipt.of(id) : DeliveryReceipt.NONE;
    }

    /** The nick of a Matrix member in a gateway room, announcing them to joiners the first time. */
    String member(Room room, UserRef person, Profile profile) {
        String existing = room.members.get(person);
        puppets.ensure(person, profile);
        String name = PuppetDirectory.displayName(person, puppets.profile(person));
        if (existing != null && existing.startsWith(name)) {
            return existing;
        }
        String nick = name;
        for (int i = 1; room.nickTaken(nick, null) && i < 10; i++) {
            nick = name + (i == 1 ? " [m]" : " [m" + i + "]");
        }
        if (existing != null) {
            String old = existing;
            room.joiners.values().forEach(j -> out.send(out.memberPresence(room, person, old, Presence.Type.unavailable, j.jid())));
        }
        for (Map.Entry<UserRef, String> evicted : room.members.put(person, nick)) {
            // The least recently active member leaves the joiners' view (the cap of remembered members).
            room.joiners.values().forEach(j -> out.send(out.memberPresence(room, evicted.getKey(), evicted.getValue(),
                    Presence.Type.unavailable, j.jid())));
        }
        String announced = nick;
        room.joiners.values().forEach(j -> out.send(out.memberPresence(room, person, announced, Presence.Type.available, j.jid())));
        return nick;
    }
}
