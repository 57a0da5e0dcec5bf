package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.avatar.PhotoHint;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Occupant;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Participant;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.State;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.sid.element.OriginIdElement;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What bridged MUCs send us (the adapter's inbound thread): presences (our own occupants' go to
 * {@link MucOccupancy}; participants' joins, leaves and show/status are reported by the room's listener only) and
 * messages (our reflections go to {@link MucDelivery}; what real users say is submitted once, by the listener).
 */
final class MucInbound {
    private static final Logger LOG = LoggerFactory.getLogger(MucInbound.class);

    private final XmppSettings settings;
    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final XmppInboundConverter inbound;
    private final XmppIngress ingress;
    private final XmppAvatars avatars;
    private final XmppLimits limits;
    private final Clock clock;
    private final MucRooms rooms;
    private final MucOccupancy occupancy;
    private final MucMembership membership;
    private final MucIdentities identities;
    private final MucMessageIds ids;
    private final MucDelivery delivery;

    MucInbound(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, XmppInboundConverter inbound,
               XmppIngress ingress, XmppAvatars avatars, XmppLimits limits, Clock clock, MucRooms rooms,
               MucOccupancy occupancy, MucMembership membership, MucIdentities identities, MucMessageIds ids,
               MucDelivery delivery) {
        this.settings = settings;
        this.sender = sender;
        this.puppets = puppets;
        this.inbound = inbound;
        this.ingress = ingress;
        this.avatars = Objects.requireNonNull(avatars, "avatars");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = clock;
        this.rooms = rooms;
        this.occupancy = occupancy;
        this.membership = membership;
        this.identities = identities;
        this.ids = ids;
        this.delivery = delivery;
    }

    void onPresence(Presence p) {
        MucRoom room = rooms.get(p.getFrom());
        if (room == null) {
            return;
        }
        Occupant ours = room.ours.get(p.getTo());
        String nick = p.getFrom().getResourceOrEmpty().toString();
        if (p.getType() == Presence.Type.error) {
            if (ours != null && ours.state == State.JOINING) {
                occupancy.joinFailed(room, ours, p.getError());
            }
            return;
        }
        MUCUser x = MUCUser.from(p);
        Set<Integer> codes = x == null ? Set.of()
                : x.getStatus().stream().map(MUCUser.Status::getCode).collect(Collectors.toSet());
        if (ours != null && (codes.contains(MucOccupancy.S_SELF)
                || (nick.equals(ours.nick) && ours.state == State.JOINING))) {
            occupancy.selfPresence(room, ours, p, nick, codes, x);
            return;
        }
        if (ours == null || room.ourByNick(nick).isPresent()) {
            return;
        }
        // Every occupant of ours sees the roster; all keep it (the listener may change), only the listener
        // reports joins and leaves.
        // Occupants choose their status text: cut before it is compared, kept or submitted (max-status-chars).
        participantPresence(room, limits.boundedStatus(p), nick, codes, x,
                room.listener != null && room.listener.equals(p.getTo()));
    }

    private void participantPresence(MucRoom room, Presence p, String nick, Set<Integer> codes, MUCUser x,
                                     boolean report) {
        Participant seen = new Participant(nick, identities.realJid(room, x), MucIdentities.occupantId(p));
        Optional<EntityBareJid> real = seen.realJid();
        if (p.getType() == Presence.Type.unavailable) {
            Participant gone = room.participants.remove(nick);
            Participant known = gone == null ? seen
                    : new Participant(nick, real.or(gone::realJid), seen.occupantId().or(gone::occupantId));
            if (codes.contains(MucOccupancy.S_NICK_CHANGED) && x != null && x.getItem() != null
                    && x.getItem().getNick() != null) {
                String newNick = x.getItem().getNick().toString();
                room.participants.put(newNick, known.withNick(newNick));
                return;
            }
            if (gone != null && report) {
                membership.report(room, known, MembershipEvent.Membership.LEAVE);
            }
            return;
        }
        Participant before = room.participants.get(nick);
        room.participants.put(nick, seen);
        // The listener's copy (or, before it is elected, the roster it gets on joining: people already in the room)
        // carries the occupant's XEP-0153 hash; it, or a first sight without one, drives the vCard fetch.
        boolean rosterToListener = room.listener == null && occupancy.listenerJid().equals(p.getTo());
        if ((report || rosterToListener) && !isBridgePuppet(real)) {
            avatars.observe(identities.sender(room, seen), PhotoHint.of(p), avatarRoute(room, nick, real, p.getTo()));
        }
        if (report && (before == null
                || !identities.sender(room, before).equals(identities.sender(room, seen)))) {
            // A new participant, or a nick now held by someone else (XEP-0421 occupant-id differs).
            membership.report(room, seen, MembershipEvent.Membership.JOIN);
        }
        if (report) {
            // Show/status of a participant is their presence (DESIGN.md table); sent when it changes.
            String key = p.getMode() + "|" + p.getStatus();
            UserRef person = identities.sender(room, seen);
            if (!key.equals(room.shown.put(person, key))) {
                ingress.submit(inbound.convertPresence(p, person, avatars.profile(person, nick), clock.instant()));
            }
        }
    }

    /**
     * Where to ask for a participant's vCard (XEP-0054): their real bare JID, from the component, when the room
     * reveals it; else their occupant JID, from our elected occupant: a XEP-0045 service passes IQs to occupants
     * only from occupants, and Prosody (muc.lib.lua, 0.11+) sends vcard-temp requests on to the occupant's bare JID,
     * whose server answers. {@code ours} is the occupant of ours the stanza was addressed to (it is in the room).
     */
    private XmppAvatars.Route avatarRoute(MucRoom room, String nick, Optional<EntityBareJid> real, Jid ours) {
        try {
            if (real.isPresent()) {
                return new XmppAvatars.Route(JidCreate.domainBareFrom(settings.componentDomain()), real.get());
            }
            return new XmppAvatars.Route(ours, JidCreate.fullFrom(room.jid, Resourcepart.from(nick)));
        } catch (XmppStringprepException e) {
            return null;
        }
    }

    /** A participant whose real JID is on our own component: a puppet of this bridge, never asked for a vCard. */
    private boolean isBridgePuppet(Optional<EntityBareJid> real) {
        return real.map(puppets.addressing()::isOnComponent).orElse(false);
    }

    boolean profileChanged(UserRef person) {
        boolean any = false;
        for (MucRoom room : rooms.all()) {
            if (room.listener == null) {
                continue;
            }
            for (Participant participant : room.participants.values()) {
                if (identities.sender(room, participant).equals(person)) {
                    membership.report(room, participant, MembershipEvent.Membership.PROFILE_CHANGE);
                    any = true;
                    break;
                }
            }
        }
        return any;
    }

    void onMessage(Message m) {
        MucRoom room = rooms.get(m.getFrom());
        if (room == null) {
            return;
        }
        if (m.getType() == Message.Type.error) {
            delivery.refused(room, m);
            return;
        }
        String nick = m.getFrom().getResourceOrEmpty().toString();
        if (m.getType() != Message.Type.groupchat) {
            if (!nick.isEmpty() && m.getBody() != null) {
                // Private messages through the room are not bridged; say so instead of dropping them.
                StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.feature_not_implemented,
                        "Private messages to bridged users are not supported; write in the room."))
                        .ifPresent(this::sendQuietly);
            }
            return;
        }
        String stanzaId = MucMessageIds.roomStanzaId(room, m);
        String ownId = Optional.ofNullable(OriginIdElement.getOriginId(m)).map(OriginIdElement::getId)
                .orElse(m.getStanzaId());
        if (delivery.reflection(room, nick, ownId, stanzaId)) {
            return; // a reflection of our own message: never bridged back
        }
        if (room.listener == null || !room.listener.equals(m.getTo())) {
            return; // another of our occupants got the same broadcast; the listener handles it
        }
        if (nick.isEmpty() || (m.getSubject() != null && m.getBody() == null)) {
            if (m.getSubject() != null && m.getBody() == null && !room.subjectSeen) {
                room.subjectSeen = true; // the subject every joiner gets, not a change
                return;
            }
            if (nick.isEmpty()) {
                moderationByTheRoom(room, m);
                return;
            }
        }
        Participant known = room.participants.get(nick);
        // The message's own occupant-id (stamped by the service) says who sent it, whatever the roster says.
        Participant participant = new Participant(nick, known == null ? Optional.empty() : known.realJid(),
                MucIdentities.occupantId(m).or(() -> known == null ? Optional.empty() : known.occupantId()));
        UserRef person = identities.sender(room, participant);
        if (stanzaId != null) {
            ids.learnAlias(room, person, m.getStanzaId(), stanzaId);
            OriginIdElement origin = OriginIdElement.getOriginId(m);
            if (origin != null && !origin.getId().equals(m.getStanzaId())) {
                ids.learnAlias(room, person, origin.getId(), stanzaId);
            }
        }
        String remote = stanzaId != null ? stanzaId : m.getStanzaId();
        Optional<EntityBareJid> real = participant.realJid();
        if (!isBridgePuppet(real)) {
            avatars.seen(person, avatarRoute(room, nick, real, m.getTo()));
        }
        var context = new XmppInboundConverter.Context(room.portal, person, avatars.profile(person, nick),
                Optional.ofNullable(remote).map(RemoteMessageId::of), clock.instant(), true,
                id -> ids.resolveAlias(room, person, id));
        var result = ids.resolveRetraction(room, person, inbound.convert(m, context));
        Instant stamp = result.events().isEmpty() ? null : result.events().get(0).timestamp();
        if (stamp != null && (room.lastSeen == null || stamp.isAfter(room.lastSeen))) {
            room.lastSeen = stamp;
        }
        if (result.isEmpty()) {
            return;
        }
        var outcome = ingress.submit(result);
        // No error stanza into a room: MUC services kick occupants that bounce errors. Logged instead.
        outcome.error().ifPresent(e -> LOG.info("message from {} in {} not bridged: {}", nick, room.jid,
                e.getDescriptiveText()));
    }

    /**
     * A message from the room's own bare JID: only a XEP-0425 moderation is taken from there (the service alone
     * sends from that address, and only it may announce that a moderator removed a message). Moderations our
     * own occupants asked for (a Matrix redaction we passed on) come back the same way and are not bridged again.
     * The sender is the moderator the room names, else the room itself. Listener's copy, inbound thread.
     */
    private void moderationByTheRoom(MucRoom room, Message m) {
        Optional<String> by = XmppInboundConverter.moderator(m);
        if (by.isEmpty()) {
            return;
        }
        String moderatorNick = "";
        try {
            Jid byJid = JidCreate.from(by.get());
            if (byJid.asBareJid().equals(room.jid)) {
                moderatorNick = byJid.getResourceOrEmpty().toString();
            }
        } catch (XmppStringprepException | IllegalArgumentException e) {
            LOG.debug("moderation in {} names an odd moderator '{}'", room.jid, by.get());
        }
        if (!moderatorNick.isEmpty() && room.ourByNick(moderatorNick).isPresent()) {
            return; // our own moderation, announced back
        }
        Participant moderator = moderatorNick.isEmpty() ? null : room.participants.get(moderatorNick);
        UserRef person = moderator == null ? identities.roomItself(room) : identities.sender(room, moderator);
        var context = new XmppInboundConverter.Context(room.portal, person,
                avatars.profile(person, moderator == null ? room.jid.getLocalpart().toString() : moderatorNick),
                Optional.empty(), clock.instant(), true, UnaryOperator.identity(), true);
        var result = inbound.convert(m, context);
        if (result.events().size() != 1 || !(result.events().get(0) instanceof RetractionEvent r) || !r.moderation()) {
            return;
        }
        ingress.submit(result).error().ifPresent(e -> LOG.info("moderation in {} not bridged: {}", room.jid,
                e.getDescriptiveText()));
    }

    private void sendQuietly(Stanza s) {
        try {
            sender.send(s);
        } catch (NotConnectedException e) {
            LOG.debug("not sent: {}", e.getMessage());
        }
    }
}
