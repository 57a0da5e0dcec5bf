package org.bridgeappliance.adapter.xmpp.gateway;

import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smackx.muc.MUCAffiliation;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.packet.MUCItem;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway sends as its rooms: occupant JIDs ({@code room/nick}), occupant presences (non-anonymous rooms:
 * the real JID is shown), members' presences with their puppet JID and photo hash, and the sending itself (a
 * stanza that cannot go out because the stream is down is dropped with a debug line: the joiners are gone too).
 */
final class OccupantStanzas {
    private static final Logger LOG = LoggerFactory.getLogger(OccupantStanzas.class);

    private final StanzaSender sender;
    private final PuppetDirectory puppets;

    OccupantStanzas(StanzaSender sender, PuppetDirectory puppets) {
        this.sender = sender;
        this.puppets = puppets;
    }

    Jid occupant(Room room, String nick) {
        try {
            return JidCreate.fullFrom(room.jid, Resourcepart.from(nick));
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("nick not usable: " + nick, e);
        }
    }

    Presence memberPresence(Room room, UserRef person, String nick, Presence.Type type, Jid to) {
        EntityBareJid puppet = puppets.addressing().puppetJid(person);
        Presence p = occupantPresence(room, nick, type, to, puppet, false, Set.of());
        p.addExtension(puppets.photoUpdate(person));
        return p;
    }

    Presence occupantPresence(Room room, String nick, Presence.Type type, Jid to, Jid realJid, boolean self,
                                      Set<Integer> codes) {
        MUCUser x = new MUCUser();
        // The rooms are non-anonymous (status 100): the real JID of every occupant is shown.
        x.setItem(new MUCItem(MUCAffiliation.member, type == Presence.Type.unavailable ? MUCRole.none
                : MUCRole.participant, null, null, realJid, null, null));
        codes.forEach(c -> x.addStatusCode(MUCUser.Status.create(c)));
        return StanzaBuilder.buildPresence().ofType(type).from(occupant(room, nick)).to(to).addExtension(x).build();
    }

    void send(Optional<? extends Stanza> stanza) {
        stanza.ifPresent(this::send);
    }

    void send(Stanza stanza) {
        try {
            sender.send(stanza);
        } catch (NotConnectedException e) {
            LOG.debug("not sent: {}", e.getMessage());
        }
    }
}
