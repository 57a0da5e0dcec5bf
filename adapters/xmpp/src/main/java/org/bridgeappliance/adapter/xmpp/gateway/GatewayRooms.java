package org.bridgeappliance.adapter.xmpp.gateway;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.PhotoHint;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.limits.Lru;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.provision.Provisioner;
import org.bridgeappliance.adapter.xmpp.muc.ReactionSets;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageArchive;
import org.bridgeappliance.core.store.MessageMapping;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.forward.packet.Forwarded;
import org.jivesoftware.smackx.mam.element.MamElements;
import org.jivesoftware.smackx.mam.element.MamFinIQ;
import org.jivesoftware.smackx.mam.element.MamQueryIQ;
import org.jivesoftware.smackx.muc.MUCAffiliation;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.jivesoftware.smackx.muc.packet.MUCItem;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.rsm.packet.RSMSet;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.jxmpp.util.XmppDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway mode: the component itself serves a MUC for each bridged Matrix room, at
 * {@code #alias%server@<component>}, so any XMPP client can join a Matrix room. Joining resolves the
 * alias through the {@link PortalCoordinator} (creating the room mapping on first use).
 *
 * <p>What joiners get (XEP-0045): the occupant list (the Matrix members the bridge has seen: joins
 * and senders delivered to this portal), self-presence with status codes 110/100/170 (and 210 when
 * the nick was changed), the room's recent history with XEP-0203 stamps, then the subject (the
 * Matrix topic). Messages of XMPP users are reflected with a room stanza-id (XEP-0359) derived from
 * the sender and their message id, so XEP-0308 corrections resolve without any stored alias; messages
 * the bridge delivers carry the canonical message id as id and stanza-id.
 *
 * <p>History and MAM (XEP-0313) come from the bridge's {@link MessageArchive} (persistent with the JDBC
 * stores), which the router fills with every accepted message of the room, whatever its network, with
 * edits applied and retractions removed. Each archived message is shown under the stanza-id it carried
 * live in this room ({@link #roomStanzaId}), so clients page from live messages into the archive.
 *
 * <p>Limits (honest): the member list lives in memory and starts empty after a restart; history and MAM
 * show the plain body (no XHTML-IM, replies or attachments beyond their text); the nick of an archived
 * message is the author's display name when they wrote it (a current member's nick when known).
 */
public final class GatewayRooms {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRooms.class);
    static final String MAM_NS = "urn:xmpp:mam:2";

    private final XmppSettings settings;
    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final GatewayAddressing addressing;
    private final XmppInboundConverter inbound;
    private final XmppOutboundConverter outbound;
    private final XmppIngress ingress;
    private final BridgeStores stores;
    private final PortalCoordinator coordinator;
    private final Network network;
    private final Clock clock;
    /** Rooms seen in this run, capped; a room with joiners is never dropped (its joiners would vanish). */
    private final Lru<EntityBareJid, Room> rooms;
    private final XmppAvatars avatars;
    private final XmppLimits limits;
    private final GatewayPolicy policy;
    private final Provisioner provisioner;

    /**
     * @param limits      caps (rooms, occupants, members, status text) and the gateway's allow/deny lists
     * @param provisioner where unmapped rooms are created, off the inbound thread
     */
    public GatewayRooms(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, GatewayAddressing addressing,
                        XmppInboundConverter inbound, XmppOutboundConverter outbound, XmppIngress ingress,
                        BridgeStores stores, PortalCoordinator coordinator, Network network, Clock clock,
                        XmppAvatars avatars, XmppLimits limits, Provisioner provisioner) {
        this.settings = settings;
        this.sender = sender;
        this.puppets = puppets;
        this.addressing = addressing;
        this.inbound = inbound;
        this.outbound = outbound;
        this.ingress = ingress;
        this.stores = stores;
        this.coordinator = coordinator;
        this.network = network;
        this.clock = clock;
        this.avatars = java.util.Objects.requireNonNull(avatars, "avatars");
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.policy = GatewayPolicy.of(limits, settings.serverDomain());
        this.provisioner = java.util.Objects.requireNonNull(provisioner, "provisioner");
        this.rooms = new Lru<>(limits.maxGatewayRooms(), r -> r.joiners.isEmpty());
        MamQueryProvider.install();
    }

    record Joiner(EntityFullJid jid, String nick) {
    }

    static final class Room {
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

    public boolean isGatewayRoom(Jid to) {
        return settings.gatewayEnabled() && to != null && addressing.target(to.asBareJid()).isPresent();
    }

    public boolean isGatewayPortal(String roomId) {
        try {
            return isGatewayRoom(JidCreate.from(roomId));
        } catch (XmppStringprepException e) {
            return false;
        }
    }

    /** The gateway rooms the room directory maps (disco#items of the component). */
    public List<EntityBareJid> roomJids() {
        List<EntityBareJid> out = new ArrayList<>();
        for (BridgedRoom room : stores.rooms().all()) {
            room.portalOn(network).map(p -> p.room().value()).filter(this::isGatewayPortal).ifPresent(id -> {
                try {
                    out.add(JidCreate.entityBareFrom(id));
                } catch (XmppStringprepException ignored) {
                    // not a JID: not ours
                }
            });
        }
        return out;
    }

    /**
     * The room held for {@code jid}, created if there is room for it; empty when the cap is reached and every
     * room held has joiners. Only for rooms that are bridged (a join after provisioning, a delivery): stanzas to
     * unknown rooms never create an entry.
     */
    private Optional<Room> room(EntityBareJid jid) {
        return rooms.getOrCreate(jid, j -> new Room(j, network, limits.maxGatewayMembers()));
    }

    /** The room held for {@code jid} if any, without creating it. */
    private Room existing(EntityBareJid jid) {
        return rooms.get(jid);
    }

    /** The stream of component {@code domain} is up again. */
    public void connected(String domain) {
        // Joiners' sessions live on the server: after a reconnect they are gone from our view and
        // their clients rejoin (XEP-0410 self-pings fail with not-acceptable below).
        disconnected(domain);
    }

    /** The stream of component {@code domain} is gone: so are the joiners of its rooms. */
    public void disconnected(String domain) {
        rooms.values().stream().filter(r -> r.jid.getDomain().toString().equals(domain))
                .forEach(r -> r.joiners.clear());
    }

    /** Before the component disconnects: tell every joiner the room is going away (status 332). */
    public void leaveAll() {
        for (Room room : rooms.values()) {
            for (Joiner j : room.joiners.values()) {
                MUCUser x = new MUCUser();
                x.setItem(new MUCItem(MUCAffiliation.none, MUCRole.none, null, null, null, null, null));
                x.addStatusCode(MUCUser.Status.create(110));
                x.addStatusCode(MUCUser.Status.create(332));
                send(StanzaBuilder.buildPresence().ofType(Presence.Type.unavailable).from(occupant(room, j.nick()))
                        .to(j.jid()).addExtension(x).build());
            }
        }
    }

    // ------------------------------------------------------------------ inbound

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
                send(StanzaErrors.replyTo(request, failure.error()));
            } // a leave from a room that could not be joined: there is nothing to leave
        })) {
            return;
        }
        Presence p = limits.boundedStatus(request);
        Room room = existing(roomJid);
        if (p.getType() == Presence.Type.unavailable) {
            if (room == null) {
                return;
            }
            Joiner gone = room.joiners.remove(user);
            if (gone != null) {
                for (Joiner j : room.joiners.values()) {
                    send(occupantPresence(room, gone.nick(), Presence.Type.unavailable, j.jid(), user.asBareJid(), false,
                            Set.of()));
                }
                send(occupantPresence(room, gone.nick(), Presence.Type.unavailable, user, user.asBareJid(), true,
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
            send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.jid_malformed, "A nick is required.")));
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
                    Presence update = occupantPresence(room, nick, Presence.Type.available, j.jid(),
                            user.asEntityBareJid(), j.jid().equals(user), j.jid().equals(user) ? Set.of(110) : Set.of());
                    update.setMode(p.getMode());
                    update.setStatus(p.getStatus());
                    send(update);
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
            send(StanzaErrors.replyTo(p, refused.get()));
            return;
        }
        if (!mapped) {
            provision(roomJid, user, request);
            return;
        }
        Optional<Room> held = room(roomJid);
        if (held.isEmpty()) {
            send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.service_unavailable,
                    "The bridge serves too many rooms right now; try again later.")));
            return;
        }
        room = held.get();
        if (room.joiners.size() >= limits.maxGatewayOccupants()) {
            // XEP-0045 §7.2.10: the room has reached its maximum number of occupants.
            send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.service_unavailable,
                    "This room is full.")));
            return;
        }
        if (room.nickTaken(nick, user.asEntityBareJid())) {
            send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.conflict,
                    "That nick is taken in this room.")));
            return;
        }
        join(room, user, nick, p);
        if (existing(roomJid) != room) {
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
            send(StanzaErrors.replyTo(request, StanzaErrors.error(StanzaError.Condition.conflict,
                    "That nick is taken in this room.")));
            return;
        }
        Joiner renamed = new Joiner(joiner.jid(), nick);
        room.joiners.put(joiner.jid(), renamed);
        for (Joiner j : room.joiners.values()) {
            boolean self = j.jid().equals(joiner.jid());
            Presence gone = occupantPresence(room, joiner.nick(), Presence.Type.unavailable, j.jid(),
                    joiner.jid().asEntityBareJid(), self, self ? Set.of(303, 110) : Set.of(303));
            MUCUser x = MUCUser.from(gone);
            x.setItem(new MUCItem(MUCAffiliation.member, MUCRole.none, null, null, joiner.jid().asEntityBareJid(),
                    Resourcepart.fromOrThrowUnchecked(nick), null));
            send(gone);
            send(occupantPresence(room, nick, Presence.Type.available, j.jid(), joiner.jid().asEntityBareJid(), self,
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
        }, () -> onPresence(request), failure -> send(StanzaErrors.replyTo(request, failure.error())));
    }

    private void join(Room room, EntityFullJid user, String nick, Presence p) {
        // XEP-0045 §7.2: existing occupants, self-presence, history, subject.
        for (Map.Entry<UserRef, String> m : room.members.entries()) {
            send(memberPresence(room, m.getKey(), m.getValue(), Presence.Type.available, user));
        }
        for (Joiner j : room.joiners.values()) {
            send(occupantPresence(room, j.nick(), Presence.Type.available, user, j.jid().asEntityBareJid(), false,
                    Set.of()));
        }
        Joiner joiner = new Joiner(user, nick);
        room.joiners.put(user, joiner);
        for (Joiner j : room.joiners.values()) {
            if (!j.jid().equals(user)) {
                send(occupantPresence(room, nick, Presence.Type.available, j.jid(), user.asEntityBareJid(), false,
                        Set.of()));
            }
        }
        send(occupantPresence(room, nick, Presence.Type.available, user, user.asEntityBareJid(), true,
                Set.of(110, 100, 170)));
        MUCInitialPresence muc = p.getExtension(MUCInitialPresence.class);
        history(room, user, muc == null ? null : muc.getHistory()).forEach(this::send);
        send(StanzaBuilder.buildMessage().ofType(Message.Type.groupchat).from(room.jid).to(user)
                .setSubject(room.subject).build());
        membership(room, user.asEntityBareJid(), nick, MembershipEvent.Membership.JOIN);
    }

    /**
     * XEP-0045 §7.2.14 discussion history from the bridge's archive: the newest messages within
     * {@code bridge.xmpp.gateway-history} and the joiner's maxstanzas / seconds / since, then cut from the
     * oldest end to fit maxchars (counted, as the XEP says, over the whole stanzas). Each carries the stanza-id
     * its live copy carried and a XEP-0203 delay stamp.
     */
    List<Message> history(Room room, Jid to, MUCInitialPresence.History request) {
        int max = Math.min(settings.gatewayHistory(), MessageArchive.MAX_QUERY_LIMIT);
        int maxChars = -1;
        Instant since = null;
        if (request != null) {
            if (request.getMaxStanzas() >= 0) {
                max = Math.min(max, request.getMaxStanzas());
            }
            maxChars = request.getMaxChars();
            if (request.getSeconds() >= 0) {
                since = clock.instant().minusSeconds(request.getSeconds());
            }
            if (request.getSince() != null && (since == null || request.getSince().toInstant().isAfter(since))) {
                since = request.getSince().toInstant();
            }
        }
        Optional<RoomId> roomId = bridgedRoom(room);
        if (max <= 0 || maxChars == 0 || roomId.isEmpty()) {
            return List.of();
        }
        ArchiveQuery query = ArchiveQuery.newest(roomId.get(), max);
        if (since != null) {
            query = query.withStart(since);
        }
        List<Message> out = new ArrayList<>();
        for (ArchivedMessage a : archiveQuery(query)) {
            MessageBuilder b = archivedStanza(room, a).asBuilder(UUID.randomUUID().toString()).to(to);
            b.addExtension(new DelayInformation(Date.from(a.timestamp()), room.jid.toString(), null));
            out.add(b.build());
        }
        if (maxChars > 0) {
            int total = 0;
            int keepFrom = out.size();
            while (keepFrom > 0) {
                int len = out.get(keepFrom - 1).toXML().length();
                if (total + len > maxChars) {
                    break;
                }
                total += len;
                keepFrom--;
            }
            out = out.subList(keepFrom, out.size());
        }
        return out;
    }

    private Optional<RoomId> bridgedRoom(Room room) {
        return stores.rooms().findByPortal(room.portal).map(BridgedRoom::id);
    }

    private List<ArchivedMessage> archiveQuery(ArchiveQuery query) {
        try {
            return stores.archive().query(query);
        } catch (RuntimeException e) {
            LOG.warn("archive of gateway room unavailable: {}", e.toString());
            return List.of();
        }
    }

    /**
     * The stanza-id a message carries in this gateway room, live and in the archive alike: its copy's id in
     * this portal (for a message an XMPP user sent here, the sender-scoped {@code g-} id; for a message the
     * bridge delivered here, the canonical id, see {@link #deliver}), else the canonical id.
     */
    String roomStanzaId(Room room, BridgeMessageId id) {
        try {
            for (MessageMapping m : stores.messages().copies(id)) {
                if (m.portal().equals(room.portal) && m.part() == 0) {
                    return m.remoteId().value();
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("message map unavailable: {}", e.toString());
        }
        return id.value();
    }

    /** The archived message with id {@code stanzaId} as this room shows it (see {@link #roomStanzaId}). */
    Optional<ArchivedMessage> byRoomStanzaId(Room room, RoomId roomId, String stanzaId) {
        if (stanzaId.isEmpty() || stanzaId.length() > 1024) {
            return Optional.empty();
        }
        try {
            BridgeMessageId canonical = null;
            for (MessageMapping m : stores.messages().findInPortal(room.portal, RemoteMessageId.of(stanzaId))) {
                canonical = m.messageId();
                break;
            }
            if (canonical == null) {
                canonical = BridgeMessageId.of(stanzaId);
            }
            return stores.archive().find(canonical).filter(a -> a.room().equals(roomId));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not an id the bridge could have given (blank, control characters)
        }
    }

    /** A groupchat message as the room sent it live: from the author's occupant JID, with the room's stanza-id. */
    private Message archivedStanza(Room room, ArchivedMessage a) {
        String stanzaId = roomStanzaId(room, a.id());
        String text = a.kind() == MessageKind.EMOTE ? "/me " + a.body().plain() : a.body().plain(); // XEP-0245
        return StanzaBuilder.buildMessage(stanzaId).ofType(Message.Type.groupchat).from(historyOccupant(room, a))
                .to(room.jid).setBody(text).addExtension(new StanzaIdElement(stanzaId, room.jid.toString())).build();
    }

    private Jid historyOccupant(Room room, ArchivedMessage a) {
        String nick = room.members.get(a.author());
        if (nick == null) {
            nick = a.displayName().isBlank() ? PuppetDirectory.displayName(a.author(), Profile.EMPTY) : a.displayName();
        }
        try {
            return JidCreate.fullFrom(room.jid, Resourcepart.from(nick));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return room.jid; // a name no resourcepart can hold: shown as the room's own message
        }
    }

    private XmppAvatars.Route avatarRoute(EntityFullJid user) {
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

    public void onMessage(Message m) {
        EntityBareJid roomJid = m.getTo().asEntityBareJidIfPossible();
        EntityFullJid user = m.getFrom().asEntityFullJidIfPossible();
        if (roomJid == null || user == null || m.getType() == Message.Type.error) {
            return;
        }
        if (provisioner.parkIfPending(provisionKey(roomJid), () -> onMessage(m),
                failure -> send(StanzaErrors.replyTo(m, failure.error())))) {
            return; // sent right after the join, before the room exists: handled after the join
        }
        Room room = existing(roomJid);
        if (m.getType() != Message.Type.groupchat || m.getTo().hasResource()) {
            send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.feature_not_implemented,
                    "Private messages in bridged rooms are not supported.")));
            return;
        }
        Joiner joiner = room == null ? null : room.joiners.get(user);
        if (joiner == null) {
            send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.not_acceptable,
                    "Join the room before writing to it.")));
            return;
        }
        String stanzaId = m.getStanzaId() != null ? scopedId(user.asEntityBareJid(), m.getStanzaId())
                : UUID.randomUUID().toString();
        UserRef person = UserRef.of(network.value(), user.asEntityBareJid().toString());
        avatars.seen(person, avatarRoute(user));
        var context = new XmppInboundConverter.Context(room.portal, person, avatars.profile(person, joiner.nick()),
                Optional.of(RemoteMessageId.of(stanzaId)), clock.instant(), true,
                id -> scopedId(user.asEntityBareJid(), id));
        var result = inbound.convert(m, context);
        var outcome = ingress.submit(result);
        if (outcome.error().isPresent()) {
            send(StanzaErrors.replyTo(m, outcome.error().get()));
            return;
        }
        // Reflect to every joiner, the sender included (XEP-0045 §7.4), with the room's stanza-id.
        Message template = reflection(m, occupant(room, joiner.nick()), room.jid, stanzaId);
        // The router archives the accepted message (MessageArchive), under this stanza-id's canonical message.
        if (m.getSubject() != null && m.getBody() == null) {
            room.subject = m.getSubject();
        }
        for (Joiner j : room.joiners.values()) {
            send(template.asBuilder(m.getStanzaId()).to(j.jid()).build());
        }
    }

    /**
     * What a reflection carries of the joiner's message, as {@code namespace element}: the parts the bridge
     * understands and bridges (body, subject, thread, XEP-0308, 0444, 0461, 0428, 0424, 0066, 0085, 0333 and the
     * XEP-0359 origin-id). Anything else (unknown extensions, a forged stanza-id or XEP-0425 moderation, XHTML-IM
     * the bridge would have to sanitise) is not passed on to the other joiners under the room's name.
     */
    static final Set<String> REFLECTED = Set.of(
            "jabber:client body", "jabber:client subject", "jabber:client thread",
            "urn:xmpp:message-correct:0 replace",
            "urn:xmpp:reactions:0 reactions",
            "urn:xmpp:reply:0 reply",
            "urn:xmpp:fallback:0 fallback",
            "urn:xmpp:message-retract:0 retract", "urn:xmpp:message-retract:1 retract",
            "jabber:x:oob x",
            "http://jabber.org/protocol/chatstates active", "http://jabber.org/protocol/chatstates composing",
            "http://jabber.org/protocol/chatstates paused", "http://jabber.org/protocol/chatstates inactive",
            "http://jabber.org/protocol/chatstates gone",
            "urn:xmpp:chat-markers:0 markable", "urn:xmpp:chat-markers:0 received",
            "urn:xmpp:chat-markers:0 displayed", "urn:xmpp:chat-markers:0 acknowledged",
            "urn:xmpp:sid:0 origin-id");

    /** The room's copy of a joiner's message: from their occupant JID, the {@link #REFLECTED} parts, our stanza-id. */
    static Message reflection(Message m, Jid from, EntityBareJid roomJid, String stanzaId) {
        MessageBuilder b = StanzaBuilder.buildMessage(m.getStanzaId()).ofType(Message.Type.groupchat).from(from)
                .to(roomJid);
        if (m.getLanguage() != null) {
            b.setLanguage(m.getLanguage());
        }
        for (org.jivesoftware.smack.packet.ExtensionElement e : m.getExtensions()) {
            if (REFLECTED.contains(e.getNamespace() + " " + e.getElementName())) {
                b.addExtension(e);
            }
        }
        b.addExtension(new StanzaIdElement(stanzaId, roomJid.toString()));
        return b.build();
    }

    /** A room stanza-id unique per sender: two users reusing an id never collide (Matterbridge #1396). */
    static String scopedId(EntityBareJid user, String messageId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((user + "\u0000" + messageId).getBytes(StandardCharsets.UTF_8));
            return "g-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public IQ onIq(IQ iq) {
        EntityBareJid roomJid = iq.getTo().asEntityBareJidIfPossible();
        Room room = roomJid == null ? null : existing(roomJid);
        if (roomJid != null && iq instanceof Ping && iq.getTo().hasResource()) {
            // XEP-0410 self-ping from a joiner's client: answer only for its own, current nick.
            Joiner j = iq.getFrom() == null || room == null ? null
                    : room.joiners.get(iq.getFrom().asEntityFullJidIfPossible());
            if (j != null && j.nick().equals(iq.getTo().getResourceOrEmpty().toString())) {
                return IQ.createResultIQ(iq);
            }
            return IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.not_acceptable, null));
        }
        if (roomJid != null && iq instanceof MamQueryIQ query && iq.getType() == IQ.Type.set
                && !iq.getTo().hasResource()) {
            return room == null ? IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.forbidden,
                    "Join the room to read its archive.")) : mam(room, query);
        }
        return IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.service_unavailable, null));
    }

    /** Page size of a MAM query without {@code <max>}. */
    static final int MAM_DEFAULT_PAGE = 50;
    /** Largest MAM page served, whatever {@code <max>} asks (XEP-0313 §4.1.2: the server may cap it). */
    static final int MAM_MAX_PAGE = 250;

    /**
     * XEP-0313 (urn:xmpp:mam:2) over the room's archive: form fields {@code start}, {@code end}, {@code with}
     * (and v0.7's {@code before-id} / {@code after-id}), XEP-0059 paging with {@code after}, {@code before}
     * (empty: the last page) and {@code max}. Results are in chronological order, each under the stanza-id the
     * message carried live; {@code <fin complete>} is true when the page reaches the end of the results in the
     * paging direction. An unknown paging id is item-not-found (§5.1.2), an unknown form field or a bad date
     * bad-request.
     */
    private IQ mam(Room room, MamQueryIQ query) {
        // Occupants only (XEP-0313 §5: a MUC archive is for those who may see the room's messages).
        EntityBareJid requester = query.getFrom() == null ? null : query.getFrom().asEntityBareJidIfPossible();
        if (requester == null || room.joiners.keySet().stream().noneMatch(j -> j.asEntityBareJid().equals(requester))) {
            return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.forbidden,
                    "Join the room to read its archive."));
        }
        Optional<RoomId> roomId = bridgedRoom(room);
        if (roomId.isEmpty()) {
            return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.item_not_found,
                    "This room is not bridged."));
        }
        ArchiveQuery q = ArchiveQuery.newest(roomId.get(), 1).from(ArchiveQuery.End.OLDEST);
        String afterId = null;
        String beforeId = null;
        try {
            DataForm form = query.getDataForm();
            if (form != null) {
                for (FormField field : form.getFields()) {
                    String value = field.getFirstValue();
                    switch (field.getFieldName()) {
                        case "FORM_TYPE" -> {
                            if (value != null && !MAM_NS.equals(value)) {
                                return badRequest(query, "Unsupported FORM_TYPE " + value);
                            }
                        }
                        case "start" -> q = value == null ? q : q.withStart(XmppDateTime.parseDate(value).toInstant());
                        case "end" -> q = value == null ? q : q.withEnd(XmppDateTime.parseDate(value).toInstant());
                        case "with" -> {
                            if (value != null) {
                                Optional<UserRef> author = author(room, JidCreate.from(value));
                                if (author.isEmpty()) {
                                    return fin(room, query, List.of(), true);
                                }
                                q = q.withAuthor(author.get());
                            }
                        }
                        case "after-id" -> afterId = value;
                        case "before-id" -> beforeId = value;
                        default -> {
                            return badRequest(query, "Unsupported field " + field.getFieldName());
                        }
                    }
                }
            }
        } catch (ParseException | XmppStringprepException | IllegalArgumentException | java.time.DateTimeException e) {
            return badRequest(query, "Malformed query field");
        }
        int max = MAM_DEFAULT_PAGE;
        boolean lastPage = false;
        RSMSet rsm = query.getExtension(RSMSet.class);
        if (rsm != null) {
            if (rsm.getMax() >= 0) {
                max = Math.min(rsm.getMax(), MAM_MAX_PAGE);
            }
            if (rsm.getAfter() != null) {
                afterId = rsm.getAfter();
            }
            if (rsm.getBefore() != null) {
                if (rsm.getBefore().isEmpty()) {
                    lastPage = true;
                } else {
                    beforeId = rsm.getBefore();
                }
            }
        }
        for (String[] anchor : new String[][] {{"after", afterId}, {"before", beforeId}}) {
            if (anchor[1] == null) {
                continue;
            }
            Optional<ArchivedMessage> found = byRoomStanzaId(room, roomId.get(), anchor[1]);
            if (found.isEmpty()) {
                return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.item_not_found,
                        "No message " + anchor[1] + " in this room's archive."));
            }
            q = "after".equals(anchor[0]) ? q.after(found.get().id()) : q.before(found.get().id());
        }
        // Paging backwards (before) takes the page from the newest end of what matches.
        boolean backwards = lastPage || beforeId != null;
        q = q.from(backwards ? ArchiveQuery.End.NEWEST : ArchiveQuery.End.OLDEST).limit(max + 1);
        List<ArchivedMessage> found;
        try {
            found = stores.archive().query(q);
        } catch (RuntimeException e) {
            LOG.warn("MAM query of {} failed: {}", room.jid, e.toString());
            return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.internal_server_error,
                    "The archive is unavailable."));
        }
        boolean complete = found.size() <= max;
        List<ArchivedMessage> page = complete ? found
                : backwards ? found.subList(found.size() - max, found.size()) : found.subList(0, max);
        return fin(room, query, page, complete);
    }

    private IQ fin(Room room, MamQueryIQ query, List<ArchivedMessage> page, boolean complete) {
        List<String> ids = new ArrayList<>(page.size());
        for (ArchivedMessage a : page) {
            Message archived = archivedStanza(room, a);
            ids.add(archived.getStanzaId());
            Forwarded<Message> forwarded = new Forwarded<>(archived, new DelayInformation(Date.from(a.timestamp())));
            send(StanzaBuilder.buildMessage().from(room.jid).to(query.getFrom())
                    .addExtension(new MamElements.MamResultExtension(query.getQueryId(), archived.getStanzaId(),
                            forwarded))
                    .build());
        }
        RSMSet set = ids.isEmpty() ? new RSMSet(null, null, -1, -1, null, -1, null, -1)
                : new RSMSet(null, null, -1, -1, ids.get(ids.size() - 1), -1, ids.get(0), -1);
        MamFinIQ fin = new MamFinIQ(query.getQueryId(), set, complete, false);
        fin.setType(IQ.Type.result);
        fin.setStanzaId(query.getStanzaId());
        fin.setTo(query.getFrom());
        fin.setFrom(room.jid);
        return fin;
    }

    private static IQ badRequest(IQ query, String text) {
        return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.bad_request, text));
    }

    /** The person a MAM {@code with} names: an occupant JID of this room, a puppet, or an XMPP user. */
    private Optional<UserRef> author(Room room, Jid with) {
        if (with.asBareJid().equals(room.jid)) {
            String nick = with.getResourceOrEmpty().toString();
            for (Map.Entry<UserRef, String> m : room.members.entries()) {
                if (m.getValue().equals(nick)) {
                    return Optional.of(m.getKey());
                }
            }
            for (Joiner j : room.joiners.values()) {
                if (j.nick().equals(nick)) {
                    return Optional.of(UserRef.of(network.value(), j.jid().asBareJid().toString()));
                }
            }
            return Optional.empty();
        }
        Optional<UserRef> puppet = puppets.addressing().person(with);
        if (puppet.isPresent()) {
            return puppet;
        }
        return Optional.of(UserRef.of(network.value(), with.asBareJid().toString()));
    }

    // ------------------------------------------------------------------ outbound

    public DeliveryReceipt deliver(Delivery delivery) {
        EntityBareJid roomJid;
        try {
            roomJid = JidCreate.entityBareFrom(delivery.target().room().value());
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("not a gateway room: " + delivery.target().room(), e);
        }
        // A room with no place in memory (the cap reached, every held room joined) has no joiners to tell.
        Room room = room(roomJid).orElseGet(() -> new Room(roomJid, network, limits.maxGatewayMembers()));
        RoomEvent event = delivery.event();
        if (event instanceof MembershipEvent m) {
            switch (m.membership()) {
                case JOIN, PROFILE_CHANGE -> member(room, m.subject(), m.meta().profile());
                case LEAVE, KICK, BAN -> {
                    String nick = room.members.remove(m.subject());
                    if (nick != null) {
                        room.joiners.values().forEach(j -> send(memberPresence(room, m.subject(), nick,
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
                room.joiners.values().forEach(j -> send(StanzaBuilder.buildMessage().ofType(Message.Type.groupchat)
                        .from(occupant(room, nick)).to(j.jid()).setSubject(topic).build()));
            });
            return DeliveryReceipt.NONE;
        }
        String nick = member(room, event.sender(), event.meta().profile());
        // The canonical id as message id and stanza-id: the archive (history, MAM) shows the same id, so
        // clients page seamlessly from live messages into the archive; retries resend the same id.
        String id = delivery.messageId().value();
        Optional<String> moderator = Optional.empty();
        if (event instanceof RetractionEvent r && r.moderation()) {
            moderator = Optional.of(occupant(room, nick).toString());
        }
        var target = new XmppOutboundConverter.Target(occupant(room, nick), room.jid, Message.Type.groupchat, id,
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
        if (!sender.isConnected()) {
            throw new TransientDeliveryException("XMPP component not connected", null);
        }
        for (Joiner j : room.joiners.values()) {
            send(template.asBuilder(id).to(j.jid()).build());
        }
        return event instanceof MessageEvent || event instanceof EditEvent ? DeliveryReceipt.of(id) : DeliveryReceipt.NONE;
    }

    /** The nick of a Matrix member in a gateway room, announcing them to joiners the first time. */
    private String member(Room room, UserRef person, Profile profile) {
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
            room.joiners.values().forEach(j -> send(memberPresence(room, person, old, Presence.Type.unavailable, j.jid())));
        }
        for (Map.Entry<UserRef, String> evicted : room.members.put(person, nick)) {
            // The least recently active member leaves the joiners' view (the cap of remembered members).
            room.joiners.values().forEach(j -> send(memberPresence(room, evicted.getKey(), evicted.getValue(),
                    Presence.Type.unavailable, j.jid())));
        }
        String announced = nick;
        room.joiners.values().forEach(j -> send(memberPresence(room, person, announced, Presence.Type.available, j.jid())));
        return nick;
    }

    private Jid occupant(Room room, String nick) {
        try {
            return JidCreate.fullFrom(room.jid, Resourcepart.from(nick));
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("nick not usable: " + nick, e);
        }
    }

    private Presence memberPresence(Room room, UserRef person, String nick, Presence.Type type, Jid to) {
        EntityBareJid puppet = puppets.addressing().puppetJid(person);
        Presence p = occupantPresence(room, nick, type, to, puppet, false, Set.of());
        p.addExtension(puppets.photoUpdate(person));
        return p;
    }

    private Presence occupantPresence(Room room, String nick, Presence.Type type, Jid to, Jid realJid, boolean self,
                                      Set<Integer> codes) {
        MUCUser x = new MUCUser();
        // The rooms are non-anonymous (status 100): the real JID of every occupant is shown.
        x.setItem(new MUCItem(MUCAffiliation.member, type == Presence.Type.unavailable ? MUCRole.none
                : MUCRole.participant, null, null, realJid, null, null));
        codes.forEach(c -> x.addStatusCode(MUCUser.Status.create(c)));
        return StanzaBuilder.buildPresence().ofType(type).from(occupant(room, nick)).to(to).addExtension(x).build();
    }

    private void send(Optional<? extends Stanza> stanza) {
        stanza.ifPresent(this::send);
    }

    private void send(Stanza stanza) {
        try {
            sender.send(stanza);
        } catch (NotConnectedException e) {
            LOG.debug("not sent: {}", e.getMessage());
        }
    }
}
