package org.bridgeappliance.adapter.xmpp.gateway;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.PhotoHint;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.provision.Provisioner;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.MUCAffiliation;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.jivesoftware.smackx.muc.packet.MUCItem;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in the gateway rooms: XMPP users joining (provisioning an unmapped room off the inbound thread first),
 * changing nick, show or status, and leaving (XEP-0045 §7.2, §7.6, §7.14), each told to the core as a membership
 * or presence; what a joiner gets (the occupants, self-presence with 110/100/170, history, the subject); the
 * goodbyes when the component stops (status 332). Inbound thread.
 */
final class GatewayJoins {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayJoins.class);

    private final BridgeStores stores;
    private final PuppetDirectory puppets;
    private final GatewayAddressing addressing;
    private final XmppInboundConverter inbound;
    private final XmppIngress ingress;
    private final PortalCoordinator coordinator;
    private final Network network;
    private final Clock clock;
    private final HeldRooms rooms;
    private final XmppAvatars avatars;
    private final XmppLimits limits;
    private final GatewayPolicy policy;
    private final Provisioner provisioner;
    private final OccupantStanzas out;
    private final GatewayArchive archive;

    GatewayJoins(BridgeStores stores, PuppetDirectory puppets, GatewayAddressing addressing,
                 XmppInboundConverter inbound, XmppIngress ingress, PortalCoordinator coordinator, Network network,
                 Clock clock, HeldRooms rooms, XmppAvatars avatars, XmppLimits limits, GatewayPolicy policy,
                 Provisioner provisioner, OccupantStanzas out, GatewayArchive archive) {
        this.stores = stores;
        this.puppets = puppets;
        this.addressing = addressing;
        this.inbound = inbound;
        this.ingress = ingress;
        this.coordinator = coordinator;
        this.network = network;
        this.clock = clock;
        this.rooms = rooms;
        this.avatars = avatars;
        this.limits = limits;
        this.policy = policy;
        this.provisioner = provisioner;
        this.out = out;
        this.archive = archive;
    }

    /** Before the component disconnects: tell every joiner the room is going away (status 332). */
    public void leaveAll() {
        for (Room room : rooms.values()) {
            for (Joiner j : room.joiners.values()) {
                MUCUser x = new MUCUser();
                x.setItem(new MUCItem(MUCAffiliation.none, MUCRole.none, null, null, null, null, null));
                x.addStatusCode(MUCUser.Status.create(110));
                x.addStatusCode(MUCUser.Status.create(332));
                out.send(StanzaBuilder.buildPresence().ofType(Presence.Type.unavailable).from(out.occupant(room, j.nick()))
                        .to(j.jid()).addExtension(x).build());
            }
        }
    }

    /**
     * A presence to a gateway room: join (provisioning an unmapped room off the inbound thread first), nick
     * change, show/status, leave. Inbound thread.
     */
    public void onPresence(Presence request) {
        EntityBareJid roomJid = request.getTo().asEntityBareJidIfPossible();
        EntityFullJid user = request.getFrom().asEntityFullJidIfPossible();
        if (roomJid == null || user == null) {
            return;
        }
        // Stanzas for a room being provisioned wait for it, in order (a leave after the join stays after it).
        if (provisioner.parkIfPending(provisionKey(roomJid), () -> onPresence(request), failure -> {
            if (request.getType() == Presence.Type.available) {
                out.send(StanzaErrors.replyTo(request, failure.error()));
            } // a leave from a room that could not be joined: there is nothing to leave
        })) {
            return;
        }
        Presence p = limits.boundedStatus(request);
        Room room = rooms.existing(roomJid);
        if (p.getType() == Presence.Type.unavailable) {
            if (room == null) {
                return;
            }
            Joiner gone = room.joiners.remove(user);
            if (gone != null) {
                for (Joiner j : room.joiners.values()) {
                    out.send(out.occupantPresence(room, gone.nick(), Presence.Type.unavailable, j.jid(), user.asBareJid(), false,
                            Set.of()));
                }
                out.send(out.occupantPresence(room, gone.nick(), Presence.Type.unavailable, user, user.asBareJid(), true,
                        Set.of(110)));
                if (room.joiners.keySet().stream().noneMatch(k -> k.asEntityBareJid().equals(user.asEntityBareJid()))) {
                    membership(room, user.asEntityBareJid(), gone.nick(), MembershipEvent.Membership.LEAVE);
                }
            }
            return;
        }
        if (p.getType() != Presence.Type.available) {
            return;
        }
        String nick = p.getTo().getResourceOrEmpty().toString();
        if (nick.isEmpty()) {
            out.send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.jid_malformed, "A nick is required.")));
            return;
        }
        Joiner existing = room == null ? null : room.joiners.get(user);
        if (existing != null) {
            observeAvatar(user, p);
            if (!existing.nick().equals(nick)) {
                changeNick(room, existing, nick, p);
            } else {
                // show/status of someone already in: the other joiners see it, the core gets their presence.
                for (Joiner j : room.joiners.values()) {
                    Presence update = out.occupantPresence(room, nick, Presence.Type.available, j.jid(),
                            user.asEntityBareJid(), j.jid().equals(user), j.jid().equals(user) ? Set.of(110) : Set.of());
                    update.setMode(p.getMode());
                    update.setStatus(p.getStatus());
                    out.send(update);
                }
                UserRef person = UserRef.of(network.value(), user.asEntityBareJid().toString());
                ingress.submit(inbound.convertPresence(p, person, avatars.profile(person, nick), clock.instant()));
            }
            return;
        }
        boolean mapped = isMapped(roomJid);
        GatewayAddressing.Target target = addressing.target(roomJid).orElseThrow();
        // The server lists bound the rooms of a network with server-pair addresses (#alias:server); another
        // network's adapter only resolves rooms it serves itself.
        Optional<StanzaError> refused = policy.refusal(user, target.address(), !mapped && target.address()
                .matches("[#!][^:]+:.+"));
        if (refused.isPresent()) {
            LOG.info("gateway join of {} by {} refused by the gateway policy", roomJid, user.asBareJid());
            out.send(StanzaErrors.replyTo(p, refused.get()));
            return;
        }
        if (!mapped) {
            provision(roomJid, user, request);
            return;
        }
        Optional<Room> held = rooms.room(roomJid);
        if (held.isEmpty()) {
            out.send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.service_unavailable,
                    "The bridge serves too many rooms right now; try again later.")));
            return;
        }
        room = held.get();
        if (room.joiners.size() >= limits.maxGatewayOccupants()) {
            // XEP-0045 §7.2.10: the room has reached its maximum number of occupants.
            out.send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.service_unavailable,
                    "This room is full.")));
            return;
        }
        if (room.nickTaken(nick, user.asEntityBareJid())) {
            out.send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.conflict,
                    "That nick is taken in this room.")));
            return;
        }
        join(room, user, nick, p);
        if (rooms.existing(roomJid) != room) {
            // Evicted by a delivery at the room cap between getOrCreate and the join (it had no joiner yet): hold it
            // again, or its joiner's later stanzas would find no room.
            rooms.put(roomJid, room);
        }
        observeAvatar(user, p);
    }

    /** XEP-0153 hash of a joiner (or a first sight without one): their vCard, asked for from the component. */
    private void observeAvatar(EntityFullJid user, Presence p) {
        avatars.observe(UserRef.of(network.value(), user.asEntityBareJid().toString()), PhotoHint.of(p),
                avatarRoute(user));
    }

    /** XEP-0045 §7.6: unavailable with 303 and the new nick, then available under the new nick. */
    private void changeNick(Room room, Joiner joiner, String nick, Presence request) {
        if (room.nickTaken(nick, joiner.jid().asEntityBareJid())) {
            out.send(StanzaErrors.replyTo(request, StanzaErrors.error(StanzaError.Condition.conflict,
                    "That nick is taken in this room.")));
            return;
        }
        Joiner renamed = new Joiner(joiner.jid(), nick);
        room.joiners.put(joiner.jid(), renamed);
        for (Joiner j : room.joiners.values()) {
            boolean self = j.jid().equals(joiner.jid());
            Presence gone = out.occupantPresence(room, joiner.nick(), Presence.Type.unavailable, j.jid(),
                    joiner.jid().asEntityBareJid(), self, self ? Set.of(303, 110) : Set.of(303));
            MUCUser x = MUCUser.from(gone);
            x.setItem(new MUCItem(MUCAffiliation.member, MUCRole.none, null, null, joiner.jid().asEntityBareJid(),
                    Resourcepart.fromOrThrowUnchecked(nick), null));
            out.send(gone);
            out.send(out.occupantPresence(room, nick, Presence.Type.available, j.jid(), joiner.jid().asEntityBareJid(), self,
                    self ? Set.of(110) : Set.of()));
        }
        membership(room, joiner.jid().asEntityBareJid(), nick, MembershipEvent.Membership.PROFILE_CHANGE);
    }

    private boolean isMapped(EntityBareJid roomJid) {
        return stores.rooms().findByPortal(Room.portal(roomJid, network)).isPresent();
    }

    /** The {@link Provisioner} key of a gateway room (1:1 chats use theirs). */
    static String provisionKey(EntityBareJid roomJid) {
        return "gateway " + roomJid;
    }

    /**
     * Maps the room on the pool ({@link Provisioner}): the join is handled again once it exists, or answered with
     * item-not-found (no such Matrix room) or remote-server-timeout (Matrix unreachable, RFC 6120 §8.3.3.16).
     */
    private void provision(EntityBareJid roomJid, EntityFullJid user, Presence request) {
        Portal portal = Room.portal(roomJid, network);
        GatewayAddressing.Target target = addressing.target(roomJid).orElseThrow();
        String address = target.address();
        String label = org.bridgeappliance.adapter.xmpp.address.ComponentDomain.label(target.network().value());
        provisioner.provision(provisionKey(roomJid), user.asBareJid().toString(), () -> {
            try {
                if (coordinator.ensureGatewayRoom(portal, target.network(), address).isPresent()) {
                    return Optional.empty();
                }
            } catch (RuntimeException e) {
                LOG.warn("gateway join of {} failed: {}", address, e.toString());
                return Optional.of(new Provisioner.Failure(StanzaError.Condition.remote_server_timeout,
                        "The " + label + " room " + address + " could not be reached; try again later."));
            }
            return Optional.of(new Provisioner.Failure(StanzaError.Condition.item_not_found,
                    "No " + label + " room " + address + " is reachable through this bridge."));
        }, () -> onPresence(request), failure -> out.send(StanzaErrors.replyTo(request, failure.error())));
    }

    private void join(Room room, EntityFullJid user, String nick, Presence p) {
        // XEP-0045 §7.2: existing occupants, self-presence, history, subject.
        for (Map.Entry<UserRef, String> m : room.members.entries()) {
            out.send(out.memberPresence(room, m.getKey(), m.getValue(), Presence.Type.available, user));
        }
        for (Joiner j : room.joiners.values()) {
            out.send(out.occupantPresence(room, j.nick(), Presence.Type.available, user, j.jid().asEntityBareJid(), false,
                    Set.of()));
        }
        Joiner joiner = new Joiner(user, nick);
        room.joiners.put(user, joiner);
        for (Joiner j : room.joiners.values()) {
            if (!j.jid().equals(user)) {
                out.send(out.occupantPresence(room, nick, Presence.Type.available, j.jid(), user.asEntityBareJid(), false,
                        Set.of()));
            }
        }
        out.send(out.occupantPresence(room, nick, Presence.Type.available, user, user.asEntityBareJid(), true,
                Set.of(110, 100, 170)));
        MUCInitialPresence muc = p.getExtension(MUCInitialPresence.class);
        archive.history(room, user, muc == null ? null : muc.getHistory()).forEach(out::send);
        out.send(StanzaBuilder.buildMessage().ofType(Message.Type.groupchat).from(room.jid).to(user)
                .setSubject(room.subject).build());
        membership(room, user.asEntityBareJid(), nick, MembershipEvent.Membership.JOIN);
    }

    XmppAvatars.Route avatarRoute(EntityFullJid user) {
        return new XmppAvatars.Route(JidCreate.domainBareFromOrThrowUnchecked(puppets.addressing().componentDomain()),
                user.asEntityBareJid());
    }

    /**
     * {@code person}'s avatar changed: a PROFILE_CHANGE in every gateway room they have joined. Returns whether any
     * was submitted. Inbound thread.
     */
    public boolean profileChanged(UserRef person) {
        boolean any = false;
        for (Room room : rooms.values()) {
            for (Joiner j : room.joiners.values()) {
                if (UserRef.of(network.value(), j.jid().asEntityBareJid().toString()).equals(person)) {
                    membership(room, j.jid().asEntityBareJid(), j.nick(), MembershipEvent.Membership.PROFILE_CHANGE);
                    any = true;
                    break;
                }
            }
        }
        return any;
    }

    private void membership(Room room, EntityBareJid user, String nick, MembershipEvent.Membership what) {
        UserRef person = UserRef.of(network.value(), user.toString());
        EventMeta meta = new EventMeta(room.portal, person, avatars.profile(person, nick), Optional.empty(),
                clock.instant());
        ingress.submit(new XmppInboundConverter.Result(List.of(new MembershipEvent(meta, person, what, Optional.empty())),
                Optional.empty(), false));
    }
}
