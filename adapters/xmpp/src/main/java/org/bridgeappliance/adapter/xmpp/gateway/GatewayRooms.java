package org.bridgeappliance.adapter.xmpp.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.muc.ReactionSets;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
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
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
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
 * Matrix topic). Messages are reflected with a room stanza-id (XEP-0359) derived from the sender and
 * their message id, so XEP-0308 corrections resolve without any stored alias. MAM (XEP-0313) queries
 * are answered from the same history.
 *
 * <p>Limits (honest): history and the member list live in memory (the message map stores ids, not
 * texts), bounded by {@code bridge.xmpp.gateway-history}, and start empty after a restart; MAM ignores
 * RSM paging beyond {@code max}.
 */
public final class GatewayRooms {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRooms.class);
    static final Network MATRIX = Network.of("matrix");
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
    private final Map<EntityBareJid, Room> rooms = new ConcurrentHashMap<>();

    public GatewayRooms(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, GatewayAddressing addressing,
                        XmppInboundConverter inbound, XmppOutboundConverter outbound, XmppIngress ingress,
                        BridgeStores stores, PortalCoordinator coordinator, Network network, Clock clock) {
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
    }

    record Joiner(EntityFullJid jid, String nick) {
    }

    record Archived(String stanzaId, String nick, Message message, Instant at) {
    }

    static final class Room {
        final EntityBareJid jid;
        final Portal portal;
        final Map<EntityFullJid, Joiner> joiners = new ConcurrentHashMap<>();
        final Map<UserRef, String> members = new ConcurrentHashMap<>();
        final Deque<Archived> history = new ArrayDeque<>();
        volatile String subject = "";

        Room(EntityBareJid jid, Network network) {
            this.jid = jid;
            this.portal = new Portal(network, RemoteRoomId.of(jid.toString()));
        }

        boolean nickTaken(String nick, EntityBareJid except) {
            return members.containsValue(nick) || joiners.values().stream()
                    .anyMatch(j -> j.nick().equals(nick) && !j.jid().asEntityBareJid().equals(except));
        }
    }

    public boolean isGatewayRoom(Jid to) {
        return settings.gatewayEnabled() && to != null && addressing.matrixAddress(to.asBareJid()).isPresent();
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

    private Room room(EntityBareJid jid) {
        return rooms.computeIfAbsent(jid, j -> new Room(j, network));
    }

    public void connected() {
        // Joiners' sessions live on the server: after a reconnect they are gone from our view and
        // their clients rejoin (XEP-0410 self-pings fail with not-acceptable below).
        rooms.values().forEach(r -> r.joiners.clear());
    }

    public void disconnected() {
        rooms.values().forEach(r -> r.joiners.clear());
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

    public void onPresence(Presence p) {
        EntityBareJid roomJid = p.getTo().asEntityBareJidIfPossible();
        EntityFullJid user = p.getFrom().asEntityFullJidIfPossible();
        if (roomJid == null || user == null) {
            return;
        }
        Room room = room(roomJid);
        if (p.getType() == Presence.Type.unavailable) {
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
        Joiner existing = room.joiners.get(user);
        if (existing != null) {
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
                ingress.submit(inbound.convertPresence(p, UserRef.of(network.value(), user.asEntityBareJid().toString()),
                        Profile.named(nick), clock.instant()));
            }
            return;
        }
        if (!ensureMapped(room, p)) {
            return;
        }
        if (room.nickTaken(nick, user.asEntityBareJid())) {
            send(StanzaErrors.replyTo(p, StanzaErrors.error(StanzaError.Condition.conflict,
                    "That nick is taken in this room.")));
            return;
        }
        join(room, user, nick, p);
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

    private boolean ensureMapped(Room room, Stanza request) {
        if (stores.rooms().findByPortal(room.portal).isPresent()) {
            return true;
        }
        String address = addressing.matrixAddress(room.jid).orElseThrow();
        Optional<BridgedRoom> mapped;
        try {
            mapped = coordinator.ensureGatewayRoom(room.portal, MATRIX, address);
        } catch (RuntimeException e) {
            LOG.warn("gateway join of {} failed: {}", address, e.toString());
            mapped = Optional.empty();
        }
        if (mapped.isEmpty()) {
            send(StanzaErrors.replyTo(request, StanzaErrors.error(StanzaError.Condition.item_not_found,
                    "No Matrix room " + address + " is reachable through this bridge.")));
            return false;
        }
        return true;
    }

    private void join(Room room, EntityFullJid user, String nick, Presence p) {
        // XEP-0045 §7.2: existing occupants, self-presence, history, subject.
        for (Map.Entry<UserRef, String> m : room.members.entrySet()) {
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
        int max = settings.gatewayHistory();
        MUCInitialPresence muc = p.getExtension(MUCInitialPresence.class);
        if (muc != null && muc.getHistory() != null && muc.getHistory().getMaxStanzas() >= 0) {
            max = Math.min(max, muc.getHistory().getMaxStanzas());
        }
        for (Archived a : lastHistory(room, max)) {
            MessageBuilder b = a.message().asBuilder(UUID.randomUUID().toString()).to(user);
            b.addExtension(new DelayInformation(Date.from(a.at()), room.jid.toString(), null));
            send(b.build());
        }
        send(StanzaBuilder.buildMessage().ofType(Message.Type.groupchat).from(room.jid).to(user)
                .setSubject(room.subject).build());
        membership(room, user.asEntityBareJid(), nick, MembershipEvent.Membership.JOIN);
    }

    private List<Archived> lastHistory(Room room, int max) {
        synchronized (room.history) {
            List<Archived> all = new ArrayList<>(room.history);
            return all.subList(Math.max(0, all.size() - max), all.size());
        }
    }

    private void membership(Room room, EntityBareJid user, String nick, MembershipEvent.Membership what) {
        UserRef person = UserRef.of(network.value(), user.toString());
        EventMeta meta = new EventMeta(room.portal, person, Profile.named(nick), Optional.empty(), clock.instant());
        ingress.submit(new XmppInboundConverter.Result(List.of(new MembershipEvent(meta, person, what, Optional.empty())),
                Optional.empty(), false));
    }

    public void onMessage(Message m) {
        EntityBareJid roomJid = m.getTo().asEntityBareJidIfPossible();
        EntityFullJid user = m.getFrom().asEntityFullJidIfPossible();
        if (roomJid == null || user == null || m.getType() == Message.Type.error) {
            return;
        }
        Room room = room(roomJid);
        if (m.getType() != Message.Type.groupchat || m.getTo().hasResource()) {
            send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.feature_not_implemented,
                    "Private messages in bridged rooms are not supported.")));
            return;
        }
        Joiner joiner = room.joiners.get(user);
        if (joiner == null) {
            send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.not_acceptable,
                    "Join the room before writing to it.")));
            return;
        }
        String stanzaId = m.getStanzaId() != null ? scopedId(user.asEntityBareJid(), m.getStanzaId())
                : UUID.randomUUID().toString();
        UserRef person = UserRef.of(network.value(), user.asEntityBareJid().toString());
        var context = new XmppInboundConverter.Context(room.portal, person, Profile.named(joiner.nick()),
                Optional.of(RemoteMessageId.of(stanzaId)), clock.instant(), true,
                id -> scopedId(user.asEntityBareJid(), id));
        var result = inbound.convert(m, context);
        var outcome = ingress.submit(result);
        if (outcome.error().isPresent()) {
            send(StanzaErrors.replyTo(m, outcome.error().get()));
            return;
        }
        // Reflect to every joiner, the sender included (XEP-0045 §7.4), with the room's stanza-id.
        MessageBuilder reflection = m.asBuilder(m.getStanzaId()).from(occupant(room, joiner.nick()));
        reflection.removeExtension(StanzaIdElement.ELEMENT, StanzaIdElement.NAMESPACE);
        reflection.addExtension(new StanzaIdElement(stanzaId, room.jid.toString()));
        Message template = reflection.to(room.jid).build();
        if (m.getBody() != null || m.getSubject() != null) {
            archive(room, new Archived(stanzaId, joiner.nick(), template, clock.instant()));
        }
        if (m.getSubject() != null && m.getBody() == null) {
            room.subject = m.getSubject();
        }
        for (Joiner j : room.joiners.values()) {
            send(template.asBuilder(m.getStanzaId()).to(j.jid()).build());
        }
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

    private void archive(Room room, Archived a) {
        synchronized (room.history) {
            room.history.addLast(a);
            while (room.history.size() > settings.gatewayHistory()) {
                room.history.removeFirst();
            }
        }
    }

    public IQ onIq(IQ iq) {
        EntityBareJid roomJid = iq.getTo().asEntityBareJidIfPossible();
        Room room = roomJid == null ? null : room(roomJid);
        if (room != null && iq instanceof Ping && iq.getTo().hasResource()) {
            // XEP-0410 self-ping from a joiner's client: answer only for its own, current nick.
            Joiner j = iq.getFrom() == null ? null : room.joiners.get(iq.getFrom().asEntityFullJidIfPossible());
            if (j != null && j.nick().equals(iq.getTo().getResourceOrEmpty().toString())) {
                return IQ.createResultIQ(iq);
            }
            return IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.not_acceptable, null));
        }
        if (room != null && iq instanceof MamQueryIQ query && iq.getType() == IQ.Type.set && !iq.getTo().hasResource()) {
            return mam(room, query);
        }
        return IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.service_unavailable, null));
    }

    private IQ mam(Room room, MamQueryIQ query) {
        int max = 50;
        RSMSet rsm = query.getExtension(RSMSet.class);
        if (rsm != null && rsm.getMax() > 0) {
            max = Math.min(rsm.getMax(), 200);
        }
        List<Archived> page = lastHistory(room, max);
        for (Archived a : page) {
            Message archived = a.message();
            Forwarded<Message> forwarded = new Forwarded<>(archived, new DelayInformation(Date.from(a.at())));
            send(StanzaBuilder.buildMessage().from(room.jid).to(query.getFrom())
                    .addExtension(new MamElements.MamResultExtension(query.getQueryId(), a.stanzaId(), forwarded))
                    .build());
        }
        RSMSet set = page.isEmpty() ? new RSMSet(null, null, 0, 0, null, -1, null, -1)
                : new RSMSet(null, null, page.size(), 0, page.get(page.size() - 1).stanzaId(), -1,
                page.get(0).stanzaId(), 0);
        MamFinIQ fin = new MamFinIQ(query.getQueryId(), set, true, false);
        fin.setType(IQ.Type.result);
        fin.setStanzaId(query.getStanzaId());
        fin.setTo(query.getFrom());
        fin.setFrom(room.jid);
        return fin;
    }

    // ------------------------------------------------------------------ outbound

    public DeliveryReceipt deliver(Delivery delivery) {
        EntityBareJid roomJid;
        try {
            roomJid = JidCreate.entityBareFrom(delivery.target().room().value());
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("not a gateway room: " + delivery.target().room(), e);
        }
        Room room = room(roomJid);
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
        String id = UUID.randomUUID().toString();
        Optional<String> moderator = Optional.empty();
        if (event instanceof RetractionEvent r && r.moderation()) {
            moderator = Optional.of(occupant(room, nick).toString());
        }
        var target = new XmppOutboundConverter.Target(occupant(room, nick), room.jid, Message.Type.groupchat, id,
                clock.instant(), Optional.empty(), moderator);
        Set<String> reactionSet = event instanceof ReactionEvent r && delivery.reference().isPresent()
                ? ReactionSets.fullSet(stores.messages(), stores.reactions(), delivery, r) : Set.of();
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
        if (event instanceof MessageEvent || event instanceof EditEvent) {
            archive(room, new Archived(id, nick, template, event.timestamp()));
        }
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
        room.members.put(person, nick);
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
