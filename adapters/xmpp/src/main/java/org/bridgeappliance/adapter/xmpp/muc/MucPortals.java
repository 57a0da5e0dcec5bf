package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.address.DeliveryIds;
import org.bridgeappliance.adapter.xmpp.avatar.PhotoHint;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.ext.occupantid.OccupantIdElement;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EarlyCopies;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.MessageAliasStore;
import org.bridgeappliance.core.store.ReactionStore;
import org.bridgeappliance.core.store.MessageMapStore;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.jivesoftware.smackx.muc.packet.MUCOwner;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.sid.element.OriginIdElement;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Existing XMPP MUCs bridged to rooms: every bridged person joins as their own occupant (their
 * puppet JID, their display name as nick), and one elected occupant per room (the bridge's
 * listener, or the first puppet if the listener cannot stay) submits what real users say, so N
 * puppets never relay N copies (matrix-bifrost's failure mode).
 *
 * <ul>
 *   <li>Nick conflicts (XEP-0045 409) resolve visibly and deterministically: {@code name},
 *       {@code name [m]}, {@code name [m2]} … then {@code name (full id)}.</li>
 *   <li>Puppets' own messages come back as reflections: never submitted, but used to learn the
 *       room's stanza-id (XEP-0359) for the message map.</li>
 *   <li>XEP-0410 self-pings find occupants the room forgot (server restart, ghosting); kicked
 *       occupants rejoin after a pause, banned ones do not; every occupant rejoins after a
 *       reconnect; all leave (unavailable presence) before the component disconnects.</li>
 *   <li>The portal's canonical message id is the room's stanza-id (what XEP-0444, XEP-0461 and
 *       XEP-0425 refer to); XEP-0308 corrections and XEP-0424 retractions, which use the sender's
 *       message id / origin-id, are mapped through the {@link MessageAliasStore} (persistent, scoped
 *       by portal and author, so corrections of messages sent before a restart still resolve), with
 *       a bounded in-memory read-through cache in front. Outgoing corrections address our puppets'
 *       own ids through an in-memory table only (after a restart they use the stanza-id).</li>
 * </ul>
 *
 * <p>Threading: stanza handlers run on the adapter's inbound thread; {@link #deliver} on router
 * threads (one per room at a time) and may wait for a join or a reflection, bounded by timeouts.
 */
public final class MucPortals {
    private static final Logger LOG = LoggerFactory.getLogger(MucPortals.class);
    static final String RESOURCE = "bridge";
    static final Duration REFLECTION_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REJOIN_AFTER_KICK = Duration.ofSeconds(30);
    static final int MAX_NICK_ATTEMPTS = 6;
    static final int ALIAS_CAPACITY = 5000;
    static final int S_SELF = 110;
    static final int S_CREATED = 201;
    static final int S_BANNED = 301;
    static final int S_NICK_CHANGED = 303;
    static final int S_KICKED = 307;
    static final int S_SHUTDOWN = 332;

    private final XmppSettings settings;
    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final XmppInboundConverter inbound;
    private final XmppOutboundConverter outbound;
    private final XmppIngress ingress;
    private final ReactionStore reactions;
    private final MessageMapStore messages;
    private final MessageAliasStore aliases;
    private final Network network;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Jid listenerJid;
    private final XmppAvatars avatars;
    private final MucServices services;
    private final XmppLimits limits;
    private final EarlyCopies copies;
    private final Map<EntityBareJid, Room> rooms = new ConcurrentHashMap<>();
    /** Mapped rooms refused because of their service, logged once each (bounded by the admin's mappings). */
    private final Set<String> refusedRooms = ConcurrentHashMap.newKeySet();

    public MucPortals(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, XmppInboundConverter inbound,
                      XmppOutboundConverter outbound, XmppIngress ingress, ReactionStore reactions,
                      MessageMapStore messages, MessageAliasStore aliases, Network network, Clock clock,
                      ScheduledExecutorService scheduler, XmppAvatars avatars, MucServices services,
                      XmppLimits limits, EarlyCopies copies) {
        this.settings = settings;
        this.sender = sender;
        this.puppets = puppets;
        this.inbound = inbound;
        this.outbound = outbound;
        this.ingress = ingress;
        this.reactions = reactions;
        this.messages = messages;
        this.aliases = Objects.requireNonNull(aliases, "aliases");
        this.network = network;
        this.clock = clock;
        this.scheduler = scheduler;
        this.avatars = Objects.requireNonNull(avatars, "avatars");
        this.services = Objects.requireNonNull(services, "services");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.copies = Objects.requireNonNull(copies, "copies");
        try {
            // The listener is the component domain itself: no localpart a puppet could ever take.
            this.listenerJid = JidCreate.from(settings.componentDomain() + "/muc-listener");
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Where a room's relaying resumes after a restart: the time of the newest message the bridge archived for
     * that MUC's bridged room, if any. The listener's first join then asks for the history since then (XEP-0045
     * section 7.2.15), so what XMPP users said while the appliance was down is bridged; what was relayed already
     * is dropped by the core's de-duplication (the room's stanza-ids, XEP-0359).
     */
    private volatile java.util.function.Function<EntityBareJid, Optional<java.time.Instant>> resumePoint =
            jid -> Optional.empty();

    /** Sets {@link #resumePoint}; called once at start, before the first {@link #sync}. */
    public void resumeFrom(java.util.function.Function<EntityBareJid, Optional<java.time.Instant>> resumePoint) {
        this.resumePoint = Objects.requireNonNull(resumePoint, "resumePoint");
    }

    enum State { LEFT, JOINING, JOINED, BANNED }

    static final class Occupant {
        final Jid jid;
        final UserRef person; // null for the listener
        volatile String baseNick;
        volatile String nick;
        volatile int attempt;
        volatile State state = State.LEFT;
        volatile CompletableFuture<Void> joined = new CompletableFuture<>();

        Occupant(Jid jid, UserRef person, String baseNick) {
            this.jid = jid;
            this.person = person;
            this.baseNick = baseNick;
            this.nick = baseNick;
        }
    }

    /**
     * A MUC occupant who is not ours.
     *
     * @param realJid    their real bare JID, when the room (an allowed service) reveals it
     * @param occupantId their XEP-0421 occupant-id, as the service stamped it (believed only where
     *                   {@link Room#occupantIds})
     */
    record Participant(String nick, Optional<EntityBareJid> realJid, Optional<String> occupantId) {
        Participant withNick(String newNick) {
            return new Participant(newNick, realJid, occupantId);
        }
    }

    static final class Room {
        final EntityBareJid jid;
        final Portal portal;
        final Map<Jid, Occupant> ours = new ConcurrentHashMap<>();
        final Map<String, Participant> participants = new ConcurrentHashMap<>();
        final Map<UserRef, String> shown = new ConcurrentHashMap<>();
        final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
        /** Addressable deliveries awaiting their reflection, by our stanza id (see {@link #recordCopyEarly}). */
        final Map<String, Delivery> pendingDeliveries = new ConcurrentHashMap<>();
        final Map<String, String> ourIdByStanzaId = lru();
        /** Read-through cache of the alias store: (author, sender's id) to stanza-id. */
        final Map<String, String> stanzaIdByMessageId = lru();
        volatile Jid listener;
        volatile boolean subjectSeen;
        /**
         * The service stamps XEP-0421 occupant-ids here: seen on the self-presence of one of our occupants, which
         * the service builds from our join (we never send one), so it cannot be a participant's forgery. Services
         * that support XEP-0421 replace occupant-ids clients send; others pass them on, hence this check.
         */
        volatile boolean occupantIds;
        /** When the listener last relayed a message here; a rejoin asks for the history since then. */
        volatile java.time.Instant lastSeen;

        Room(EntityBareJid jid, Network network) {
            this.jid = jid;
            this.portal = new Portal(network, org.bridgeappliance.core.id.RemoteRoomId.of(jid.toString()));
        }

        private static Map<String, String> lru() {
            return java.util.Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > ALIAS_CAPACITY;
                }
            });
        }

        Optional<Occupant> ourByNick(String nick) {
            return ours.values().stream().filter(o -> nick.equals(o.nick) && o.state != State.LEFT).findFirst();
        }
    }

    /** True if {@code bare} is a MUC this adapter has joined or is joining. */
    public boolean isBridgedMuc(Jid bare) {
        return bare != null && rooms.containsKey(bare.asEntityBareJidIfPossible());
    }

    /** Whether a portal room id names an existing MUC (not a 1:1 pair, not a gateway room). */
    public boolean isMucPortal(String roomId) {
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

    private Room room(String roomId) {
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
            Room room = new Room(j, network);
            try {
                room.lastSeen = resumePoint.apply(j).orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("no resume point for {} (its history is not replayed): {}", j, e.toString());
            }
            Occupant listener = new Occupant(listenerJid, null, settings.listenerNick());
            room.ours.put(listenerJid, listener);
            if (sender.isConnected()) {
                startJoin(room, listener);
            }
            return room;
        });
    }

    /** Brings the set of joined MUCs in line with the room directory; joins the listener where needed. */
    public void sync(Collection<String> mucRoomIds) {
        Set<EntityBareJid> wanted = new java.util.HashSet<>();
        for (String id : mucRoomIds) {
            if (isMucPortal(id) && !services.allows(id)) {
                if (refusedRooms.add(id)) {
                    LOG.warn("not joining {}: its MUC service is not in bridge.xmpp.muc-services {}", id,
                            services.domains());
                }
            } else if (isMucPortal(id)) {
                Room room = room(id);
                wanted.add(room.jid);
                Occupant listener = room.ours.get(listenerJid);
                if (listener != null && listener.state == State.LEFT && sender.isConnected()) {
                    startJoin(room, listener);
                }
            }
        }
        for (Room room : List.copyOf(rooms.values())) {
            if (!wanted.contains(room.jid)) {
                leave(room);
                rooms.remove(room.jid);
            }
        }
    }

    /** After a (re)connect: everyone who was in a room joins again (the server forgot them). */
    public void connected() {
        for (Room room : rooms.values()) {
            room.participants.clear();
            for (Occupant o : room.ours.values()) {
                if (o.state != State.BANNED) {
                    o.state = State.LEFT;
                    startJoin(room, o);
                }
            }
        }
    }

    /** The stream is gone: nobody is joined any more. */
    public void disconnected() {
        for (Room room : rooms.values()) {
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

    /** Before the component disconnects: an unavailable presence for every joined occupant. */
    public void leaveAll() {
        rooms.values().forEach(this::leave);
    }

    private void leave(Room room) {
        for (Occupant o : room.ours.values()) {
            if (o.state == State.JOINED || o.state == State.JOINING) {
                sendLeave(room, o);
            }
        }
    }

    private void sendLeave(Room room, Occupant o) {
        o.state = State.LEFT;
        try {
            sender.send(StanzaBuilder.buildPresence().ofType(Presence.Type.unavailable).from(o.jid)
                    .to(JidCreate.fullFrom(room.jid, Resourcepart.fromOrThrowUnchecked(o.nick))).build());
        } catch (NotConnectedException | RuntimeException e) {
            LOG.debug("leave of {} in {} not sent: {}", o.nick, room.jid, e.toString());
        }
    }

    private static String nickCandidate(Occupant o) {
        int a = o.attempt;
        if (a == 0) {
            return o.baseNick;
        }
        if (a == 1) {
            return o.baseNick + " [m]";
        }
        if (a < MAX_NICK_ATTEMPTS - 1) {
            return o.baseNick + " [m" + a + "]";
        }
        return o.baseNick + " (" + (o.person == null ? "bridge" : o.person.user().value()) + ")";
    }

    private void startJoin(Room room, Occupant o) {
        synchronized (o) {
            if (o.state == State.JOINING || o.state == State.JOINED || o.state == State.BANNED) {
                return;
            }
            if (o.joined.isDone()) {
                o.joined = new CompletableFuture<>();
            }
            o.state = State.JOINING;
            o.nick = nickCandidate(o);
        }
        sendJoin(room, o);
    }

    /**
     * Puppets never want history. The listener rejoining a room it was relaying (reconnect, kick,
     * failed self-ping) asks for what it missed since its last message (XEP-0045 §7.2.15); the core's
     * de-duplication by stanza-id drops what was relayed already. After a restart the listener's first join
     * asks for the history since the room's {@link #resumePoint}.
     */
    private static MUCInitialPresence history(Room room, Occupant o) {
        java.time.Instant since = room.lastSeen;
        if (o.person == null && since != null) {
            return new MUCInitialPresence(null, -1, -1, -1, java.util.Date.from(since));
        }
        return new MUCInitialPresence(null, -1, 0, -1, null);
    }

    private void sendJoin(Room room, Occupant o) {
        try {
            var presence = StanzaBuilder.buildPresence().from(o.jid)
                    .to(JidCreate.fullFrom(room.jid, Resourcepart.from(o.nick)))
                    .addExtension(history(room, o));
            if (o.person != null) {
                presence.addExtension(puppets.photoUpdate(o.person));
            }
            sender.send(presence.build());
        } catch (XmppStringprepException e) {
            o.state = State.LEFT;
            o.joined.completeExceptionally(new PermanentDeliveryException("nick not usable in a JID: " + o.nick, e));
        } catch (NotConnectedException e) {
            o.state = State.LEFT;
            o.joined.completeExceptionally(e);
        }
    }

    // ---------------------------------------------------------------- inbound (adapter inbound thread)

    /** A presence from a bridged MUC (from {@code room/nick}). */
    public void onPresence(Presence p) {
        Room room = rooms.get(p.getFrom().asEntityBareJidIfPossible());
        if (room == null) {
            return;
        }
        Occupant ours = room.ours.get(p.getTo());
        String nick = p.getFrom().getResourceOrEmpty().toString();
        if (p.getType() == Presence.Type.error) {
            if (ours != null && ours.state == State.JOINING) {
                joinFailed(room, ours, p.getError());
            }
            return;
        }
        MUCUser x = MUCUser.from(p);
        Set<Integer> codes = x == null ? Set.of()
                : x.getStatus().stream().map(MUCUser.Status::getCode).collect(Collectors.toSet());
        if (ours != null && (codes.contains(S_SELF) || (nick.equals(ours.nick) && ours.state == State.JOINING))) {
            selfPresence(room, ours, p, nick, codes, x);
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

    private void selfPresence(Room room, Occupant o, Presence p, String nick, Set<Integer> codes, MUCUser x) {
        if (p.getType() == Presence.Type.unavailable) {
            if (codes.contains(S_NICK_CHANGED) && x != null && x.getItem() != null && x.getItem().getNick() != null) {
                o.nick = x.getItem().getNick().toString();
                return;
            }
            o.state = codes.contains(S_BANNED) ? State.BANNED : State.LEFT;
            elect(room);
            if (codes.contains(S_KICKED) || codes.contains(S_SHUTDOWN)) {
                LOG.warn("{} left {} (status {}); rejoining in {}", o.nick, room.jid, codes, REJOIN_AFTER_KICK);
                scheduler.schedule(() -> {
                    if (rooms.get(room.jid) == room && o.state == State.LEFT) {
                        startJoin(room, o);
                    }
                }, REJOIN_AFTER_KICK.toMillis(), TimeUnit.MILLISECONDS);
            } else if (codes.contains(S_BANNED)) {
                LOG.warn("{} was banned from {}; not rejoining", o.nick, room.jid);
            }
            return;
        }
        if (OccupantIdElement.from(p) != null) {
            room.occupantIds = true;
        }
        boolean wasJoined = o.state == State.JOINED;
        o.nick = nick;
        o.state = State.JOINED;
        o.attempt = 0;
        o.joined.complete(null);
        if (codes.contains(S_CREATED)) {
            // The room did not exist: accept the default configuration (XEP-0045 §10.1.2 instant room).
            MUCOwner owner = new MUCOwner();
            owner.setType(IQ.Type.set);
            owner.setTo(room.jid);
            owner.setFrom(o.jid);
            owner.addExtension(DataForm.builder(DataForm.Type.submit).build());
            sender.request(owner, settings.joinTimeout());
        }
        if (!wasJoined) {
            if (o.person == null) {
                room.subjectSeen = false;
            }
            elect(room);
        }
    }

    private void joinFailed(Room room, Occupant o, StanzaError error) {
        StanzaError.Condition condition = error == null ? StanzaError.Condition.undefined_condition : error.getCondition();
        if (condition == StanzaError.Condition.conflict && o.attempt + 1 < MAX_NICK_ATTEMPTS) {
            synchronized (o) {
                o.attempt++;
                o.nick = nickCandidate(o);
            }
            LOG.info("nick conflict in {}: trying '{}'", room.jid, o.nick);
            sendJoin(room, o);
            return;
        }
        o.state = State.LEFT;
        o.joined.completeExceptionally(new PermanentDeliveryException("cannot join " + room.jid + " as '" + o.nick
                + "': " + condition));
        elect(room);
    }

    private void elect(Room room) {
        Jid previous = room.listener;
        Optional<Occupant> elected = room.ours.values().stream().filter(o -> o.state == State.JOINED)
                .min(Comparator.comparing((Occupant o) -> o.person != null).thenComparing(o -> o.jid.toString()));
        room.listener = elected.map(o -> o.jid).orElse(null);
        if (!Objects.equals(previous, room.listener)) {
            LOG.info("listener of {} is now {}", room.jid, room.listener);
        }
        if (previous == null && room.listener != null) {
            // XEP-0045 section 7.2.3 sends the existing occupants' presence before our own, so no listener was there
            // to report them: announce them now, so people already in the MUC appear on the other networks
            // without having to speak. After a restart this repeats for everyone present, which the other side
            // treats as a no-op for members it already has.
            for (Participant present : List.copyOf(room.participants.values())) {
                membership(room, present, MembershipEvent.Membership.JOIN);
            }
        }
    }

    private void participantPresence(Room room, Presence p, String nick, Set<Integer> codes, MUCUser x,
                                     boolean report) {
        Participant seen = new Participant(nick, realJid(room, x), occupantId(p));
        Optional<EntityBareJid> real = seen.realJid();
        if (p.getType() == Presence.Type.unavailable) {
            Participant gone = room.participants.remove(nick);
            Participant known = gone == null ? seen
                    : new Participant(nick, real.or(gone::realJid), seen.occupantId().or(gone::occupantId));
            if (codes.contains(S_NICK_CHANGED) && x != null && x.getItem() != null && x.getItem().getNick() != null) {
                String newNick = x.getItem().getNick().toString();
                room.participants.put(newNick, known.withNick(newNick));
                return;
            }
            if (gone != null && report) {
                membership(room, known, MembershipEvent.Membership.LEAVE);
            }
            return;
        }
        Participant before = room.participants.get(nick);
        room.participants.put(nick, seen);
        // The listener's copy (or, before it is elected, the roster it gets on joining: people already in the room)
        // carries the occupant's XEP-0153 hash; it, or a first sight without one, drives the vCard fetch.
        boolean rosterToListener = room.listener == null && listenerJid.equals(p.getTo());
        if ((report || rosterToListener) && !isBridgePuppet(real)) {
            avatars.observe(sender(room, seen), PhotoHint.of(p), avatarRoute(room, nick, real, p.getTo()));
        }
        if (report && (before == null || !sender(room, before).equals(sender(room, seen)))) {
            // A new participant, or a nick now held by someone else (XEP-0421 occupant-id differs).
            membership(room, seen, MembershipEvent.Membership.JOIN);
        }
        if (report) {
            // Show/status of a participant is their presence (DESIGN.md table); sent when it changes.
            String key = p.getMode() + "|" + p.getStatus();
            UserRef person = sender(room, seen);
            if (!key.equals(room.shown.put(person, key))) {
                ingress.submit(inbound.convertPresence(p, person, avatars.profile(person, nick), clock.instant()));
            }
        }
    }

    private void membership(Room room, Participant participant, MembershipEvent.Membership what) {
        UserRef person = sender(room, participant);
        EventMeta meta = new EventMeta(room.portal, person, avatars.profile(person, participant.nick()), Optional.empty(),
                clock.instant());
        ingress.submit(new XmppInboundConverter.Result(List.of(new MembershipEvent(meta, person, what, Optional.empty())),
                Optional.empty(), false));
    }

    /**
     * Where to ask for a participant's vCard (XEP-0054): their real bare JID, from the component, when the room
     * reveals it; else their occupant JID, from our elected occupant: a XEP-0045 service passes IQs to occupants
     * only from occupants, and Prosody (muc.lib.lua, 0.11+) sends vcard-temp requests on to the occupant's bare JID,
     * whose server answers. {@code ours} is the occupant of ours the stanza was addressed to (it is in the room).
     */
    private XmppAvatars.Route avatarRoute(Room room, String nick, Optional<EntityBareJid> real, Jid ours) {
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

    /**
     * {@code person}'s avatar changed after they were seen: a PROFILE_CHANGE (subject = sender = them, with the new
     * profile) in every bridged MUC where they are a participant, reported by the room's listener. Returns whether
     * any was submitted. Inbound thread.
     */
    public boolean profileChanged(UserRef person) {
        boolean any = false;
        for (Room room : rooms.values()) {
            if (room.listener == null) {
                continue;
            }
            for (Participant participant : room.participants.values()) {
                if (sender(room, participant).equals(person)) {
                    membership(room, participant, MembershipEvent.Membership.PROFILE_CHANGE);
                    any = true;
                    break;
                }
            }
        }
        return any;
    }

    /**
     * Who a MUC participant is: their real bare JID when the room reveals it; else, where the room stamps XEP-0421
     * occupant-ids, {@code <room>#<hash of the occupant-id>} (stable per real account, so a later holder of the
     * same nick is someone else; {@code #} cannot occur in a JID's domain, so no occupant JID equals it); else
     * their occupant JID {@code <room>/<nick>}.
     */
    private UserRef sender(Room room, Participant participant) {
        if (participant.realJid().isPresent()) {
            return UserRef.of(network.value(), participant.realJid().get().toString());
        }
        if (room.occupantIds && participant.occupantId().isPresent()) {
            return UserRef.of(network.value(), room.jid + "#" + occupantKey(participant.occupantId().get()));
        }
        return UserRef.of(network.value(), room.jid + "/" + participant.nick());
    }

    /** The real JID of an occupant item, believed only from an allowed MUC service (it alone sets it). */
    private Optional<EntityBareJid> realJid(Room room, MUCUser x) {
        if (!services.allows(room.jid)) {
            return Optional.empty();
        }
        return Optional.ofNullable(x).map(MUCUser::getItem).map(i -> i.getJid()).map(Jid::asEntityBareJidIfPossible);
    }

    /** 96 bits of SHA-256 of an occupant-id, hex: bounded length (ghost ids), whatever the service sends. */
    private static String occupantKey(String occupantId) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(occupantId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static Optional<String> occupantId(org.jivesoftware.smack.packet.Stanza stanza) {
        return Optional.ofNullable(OccupantIdElement.from(stanza)).map(OccupantIdElement::getId);
    }

    /** A message from a bridged MUC (groupchat, a private message, or an error). */
    public void onMessage(Message m) {
        Room room = rooms.get(m.getFrom().asEntityBareJidIfPossible());
        if (room == null) {
            return;
        }
        if (m.getType() == Message.Type.error) {
            CompletableFuture<String> pending = m.getStanzaId() == null ? null : room.pending.remove(m.getStanzaId());
            if (pending != null) {
                pending.completeExceptionally(new RefusedByRoom(m.getError()));
            }
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
        String stanzaId = roomStanzaId(room, m);
        String ownId = Optional.ofNullable(OriginIdElement.getOriginId(m)).map(OriginIdElement::getId)
                .orElse(m.getStanzaId());
        CompletableFuture<String> pending = ownId == null ? null : room.pending.get(ownId);
        if (pending != null || (!nick.isEmpty() && room.ourByNick(nick).isPresent())) {
            // A reflection of our own message: learn the room's id for it, never bridge it back.
            if (ownId != null && stanzaId != null) {
                room.ourIdByStanzaId.put(stanzaId, ownId);
            }
            if (pending != null) {
                Delivery delivered = room.pendingDeliveries.remove(ownId);
                if (delivered != null && stanzaId != null) {
                    recordCopyEarly(delivered, stanzaId);
                }
                pending.complete(stanzaId != null ? stanzaId : ownId);
            }
            return;
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
                occupantId(m).or(() -> known == null ? Optional.empty() : known.occupantId()));
        UserRef person = sender(room, participant);
        if (stanzaId != null) {
            learnAlias(room, person, m.getStanzaId(), stanzaId);
            OriginIdElement origin = OriginIdElement.getOriginId(m);
            if (origin != null && !origin.getId().equals(m.getStanzaId())) {
                learnAlias(room, person, origin.getId(), stanzaId);
            }
        }
        String remote = stanzaId != null ? stanzaId : m.getStanzaId();
        Optional<EntityBareJid> real = participant.realJid();
        if (!isBridgePuppet(real)) {
            avatars.seen(person, avatarRoute(room, nick, real, m.getTo()));
        }
        var context = new XmppInboundConverter.Context(room.portal, person, avatars.profile(person, nick),
                Optional.ofNullable(remote).map(RemoteMessageId::of), clock.instant(), true,
                id -> resolveAlias(room, person, id));
        var result = resolveRetraction(room, person, inbound.convert(m, context));
        java.time.Instant stamp = result.events().isEmpty() ? null : result.events().get(0).timestamp();
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
    private void moderationByTheRoom(Room room, Message m) {
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
        UserRef person = moderator == null ? UserRef.of(network.value(), room.jid.toString()) : sender(room, moderator);
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

    private static String aliasKey(UserRef person, String id) {
        return person.network().value() + '\u0000' + person.user().value() + '\u0000' + id;
    }

    /**
     * Remembers that {@code person} calls the message with the room's {@code stanzaId} also
     * {@code ownId}, in the cache and persistently. A store failure only costs the alias (logged):
     * the message itself is still bridged.
     */
    private void learnAlias(Room room, UserRef person, String ownId, String stanzaId) {
        if (ownId == null || ownId.isBlank() || ownId.equals(stanzaId)) {
            return;
        }
        room.stanzaIdByMessageId.put(aliasKey(person, ownId), stanzaId);
        try {
            aliases.alias(room.portal, person, RemoteMessageId.of(ownId), RemoteMessageId.of(stanzaId));
        } catch (RuntimeException e) {
            LOG.warn("alias of a message in {} not stored (corrections of it fail after a restart): {}", room.jid,
                    e.toString());
        }
    }

    /** The stanza-id of the message {@code person} calls {@code id}, or {@code id} itself if none is known. */
    private String resolveAlias(Room room, UserRef person, String id) {
        String key = aliasKey(person, id);
        String cached = room.stanzaIdByMessageId.get(key);
        if (cached != null) {
            return cached;
        }
        Optional<RemoteMessageId> stored;
        try {
            stored = aliases.resolve(room.portal, person, RemoteMessageId.of(id));
        } catch (RuntimeException e) {
            // Unresolved, the reference is tried as a stanza-id; the core answers item-not-found if it is not one.
            LOG.warn("alias lookup in {} failed: {}", room.jid, e.toString());
            return id;
        }
        stored.ifPresent(canonical -> room.stanzaIdByMessageId.put(key, canonical.value()));
        return stored.map(RemoteMessageId::value).orElse(id);
    }

    /**
     * XEP-0424 retractions of one's own message name it by origin-id (v0.2's fastening; clients
     * following v0.3+ may still use their own id in a MUC): mapped like XEP-0308 corrections.
     * Moderations (XEP-0425) name the room's stanza-id and are left alone.
     */
    private XmppInboundConverter.Result resolveRetraction(Room room, UserRef person, XmppInboundConverter.Result result) {
        if (result.events().size() != 1 || !(result.events().get(0) instanceof RetractionEvent r) || r.moderation()) {
            return result;
        }
        String target = resolveAlias(room, person, r.target().value());
        if (target.equals(r.target().value())) {
            return result;
        }
        return new XmppInboundConverter.Result(List.of(new RetractionEvent(r.meta(), RemoteMessageId.of(target),
                false, r.reason())), result.reactions(), result.wantsReceipt());
    }

    private static String roomStanzaId(Room room, Message m) {
        for (StanzaIdElement sid : m.getExtensions(StanzaIdElement.class)) {
            if (room.jid.toString().equals(sid.getBy())) {
                return sid.getId();
            }
        }
        return null;
    }

    private void sendQuietly(org.jivesoftware.smack.packet.Stanza s) {
        try {
            sender.send(s);
        } catch (NotConnectedException e) {
            LOG.debug("not sent: {}", e.getMessage());
        }
    }

    /** XEP-0410 self-ping of every joined occupant; rejoins the ones the room forgot. */
    public void selfPing() {
        for (Room room : rooms.values()) {
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
                            elect(room);
                            startJoin(room, o);
                        }
                    }
                });
            }
        }
    }

    // ---------------------------------------------------------------- outbound (router threads)

    /** Delivers one event into a bridged MUC as its author's puppet. */
    public DeliveryReceipt deliver(Delivery delivery) {
        Room room = room(delivery.target().room().value());
        RoomEvent event = delivery.event();
        if (event instanceof MembershipEvent membership) {
            switch (membership.membership()) {
                case JOIN, PROFILE_CHANGE -> awaitJoined(room, occupant(room, membership.subject(),
                        membership.meta().profile()));
                case LEAVE, KICK, BAN -> {
                    Occupant o = room.ours.get(puppetFullJid(membership.subject(), membership.meta().profile()));
                    if (o != null && o.state != State.LEFT && o.state != State.BANNED) {
                        sendLeave(room, o);
                        elect(room);
                    }
                }
                default -> {
                }
            }
            return DeliveryReceipt.NONE;
        }
        Occupant o = occupant(room, event.sender(), event.meta().profile());
        awaitJoined(room, o);
        if (event instanceof RetractionEvent r && r.moderation()) {
            return moderate(room, o, delivery, r);
        }
        Delivery effective = delivery;
        if (event instanceof EditEvent && delivery.reference().isPresent()) {
            // XEP-0308 addresses the message id, our map holds the room's stanza-id.
            String stanzaId = delivery.reference().get().first().value();
            String ownId = room.ourIdByStanzaId.get(stanzaId);
            if (ownId != null) {
                effective = new Delivery(delivery.messageId(), delivery.room(), delivery.target(), event,
                        Optional.of(new Delivery.Reference(List.of(RemoteMessageId.of(ownId)),
                                delivery.reference().get().author())), delivery.replyTo(), delivery.attempt());
            }
        }
        // Deterministic (message, portal, part): a retried delivery repeats its id and origin-id (XEP-0359).
        String id = DeliveryIds.of(delivery);
        var target = new XmppOutboundConverter.Target(o.jid, room.jid, Message.Type.groupchat, id, clock.instant());
        Optional<Message> stanza;
        try {
            stanza = outbound.convert(effective, target, ReactionSets.forDelivery(messages, reactions, delivery));
        } catch (IllegalArgumentException e) {
            throw new PermanentDeliveryException(e.getMessage(), e);
        }
        if (stanza.isEmpty()) {
            return DeliveryReceipt.NONE;
        }
        boolean addressable = event instanceof MessageEvent || event instanceof EditEvent;
        CompletableFuture<String> reflection = new CompletableFuture<>();
        room.pending.put(id, reflection);
        if (addressable) {
            room.pendingDeliveries.put(id, delivery);
        }
        try {
            sender.send(stanza.get());
            if (!addressable) {
                return DeliveryReceipt.NONE;
            }
            String stanzaId = reflection.get(REFLECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return DeliveryReceipt.of(stanzaId);
        } catch (NotConnectedException e) {
            throw new TransientDeliveryException("XMPP component not connected", e);
        } catch (TimeoutException e) {
            // The room did not reflect in time (no MAM, slow server): our own id is the best we have.
            return DeliveryReceipt.of(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RefusedByRoom refused) {
                StanzaError.Condition c = refused.condition();
                if (c == StanzaError.Condition.not_acceptable || c == StanzaError.Condition.item_not_found) {
                    o.state = State.LEFT; // the room forgot us: rejoin on retry
                    throw new TransientDeliveryException("not an occupant of " + room.jid + " any more", refused);
                }
                throw new PermanentDeliveryException(room.jid + " refused the message: " + c, refused);
            }
            throw new TransientDeliveryException("delivery to " + room.jid + " failed", e.getCause());
        } finally {
            room.pending.remove(id);
            room.pendingDeliveries.remove(id);
        }
    }

    /**
     * Tells the core the room's copy of a delivered message on the reader thread, as soon as its reflection
     * arrives and before the next stanza is read. Occupants see the reflection at the same moment, and a
     * reaction, reply or correction of it can follow at once; if the copy were known only when the router
     * gets the receipt, such a reference would race it and be refused as unknown. The router records it
     * ({@link EarlyCopies}: one writer of the message map); its later record from the receipt adds nothing.
     */
    private void recordCopyEarly(Delivery delivery, String stanzaId) {
        copies.known(delivery, RemoteMessageId.of(stanzaId));
    }

    private DeliveryReceipt moderate(Room room, Occupant o, Delivery delivery, RetractionEvent r) {
        String target = delivery.reference().map(ref -> ref.first().value())
                .orElseThrow(() -> new PermanentDeliveryException("moderation without a reference"));
        // XEP-0425 v0.3: only a room moderator may do this; the room answers forbidden otherwise.
        var moderate = StandardExtensionElement.builder("moderate", RetractModerationIq.NAMESPACE)
                .addAttribute("id", target)
                .addElement(StandardExtensionElement.builder("retract", "urn:xmpp:message-retract:1").build());
        r.reason().ifPresent(reason -> moderate.addElement(
                StandardExtensionElement.builder("reason", RetractModerationIq.NAMESPACE).setText(reason).build()));
        IQ iq = new RetractModerationIq(moderate.build());
        iq.setType(IQ.Type.set);
        iq.setTo(room.jid);
        iq.setFrom(o.jid);
        try {
            IQ answer = sender.request(iq, settings.joinTimeout()).get(settings.joinTimeout().toMillis() + 1000,
                    TimeUnit.MILLISECONDS);
            if (answer.getType() == IQ.Type.error) {
                throw new PermanentDeliveryException("moderation refused by " + room.jid + ": "
                        + (answer.getError() == null ? "error" : answer.getError().getCondition()));
            }
            return DeliveryReceipt.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new TransientDeliveryException("no answer to the moderation request", e);
        }
    }

    private Jid puppetFullJid(UserRef person, Profile profile) {
        try {
            return JidCreate.fullFrom(puppets.ensure(person, profile), Resourcepart.from(RESOURCE));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new PermanentDeliveryException("cannot address " + person + " on XMPP: " + e.getMessage(), e);
        }
    }

    private Occupant occupant(Room room, UserRef person, Profile profile) {
        Jid jid = puppetFullJid(person, profile);
        Profile effective = puppets.profile(person);
        String name = PuppetDirectory.displayName(person, effective);
        Occupant o = room.ours.computeIfAbsent(jid, j -> new Occupant(j, person, name));
        if (!name.equals(o.baseNick)) {
            // Display name changed: a visible nick change in the room (XEP-0045 §7.6).
            synchronized (o) {
                o.baseNick = name;
                o.attempt = 0;
                if (o.state == State.JOINED) {
                    o.state = State.LEFT;
                }
            }
        }
        if (o.state == State.LEFT && sender.isConnected()) {
            startJoin(room, o);
        }
        return o;
    }

    private void awaitJoined(Room room, Occupant o) {
        if (o.state == State.BANNED) {
            throw new PermanentDeliveryException(o.nick + " is banned from " + room.jid);
        }
        if (!sender.isConnected()) {
            throw new TransientDeliveryException("XMPP component not connected", null);
        }
        try {
            o.joined.get(settings.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TransientDeliveryException("joining " + room.jid + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PermanentDeliveryException p) {
                throw p;
            }
            throw new TransientDeliveryException("joining " + room.jid + " failed", e.getCause());
        }
    }

    /** Shows a person's availability in every room their puppet is in. */
    public void presence(UserRef person, Presence.Mode mode, Optional<String> status, boolean offline) {
        for (Room room : rooms.values()) {
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

    /** The rooms and their joined occupants, for diagnostics and tests. */
    public Map<String, List<String>> occupants() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Room room : rooms.values()) {
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

    /** The elected listener of a room, for tests. */
    public Optional<Jid> listener(String room) {
        try {
            return Optional.ofNullable(rooms.get(JidCreate.entityBareFrom(room))).map(r -> r.listener);
        } catch (XmppStringprepException e) {
            return Optional.empty();
        }
    }

    /** A message error from the room, for a message our puppet sent. */
    static final class RefusedByRoom extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient StanzaError error;

        RefusedByRoom(StanzaError error) {
            super(error == null ? "error" : error.toString());
            this.error = error;
        }

        StanzaError.Condition condition() {
            return error == null ? StanzaError.Condition.undefined_condition : error.getCondition();
        }
    }
}
