package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.ext.occupantid.OccupantIdElement;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Occupant;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Participant;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.State;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.jivesoftware.smackx.muc.packet.MUCOwner;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our occupants of bridged MUCs: joining (puppets as their display name, the listener as the component),
 * XEP-0045 409 nick conflicts resolved visibly and deterministically ({@code name}, {@code name [m]},
 * {@code name [m2]} … then {@code name (full id)}), kicks (rejoin after a pause), bans (no rejoin), leaving,
 * and the election of the one occupant per room that reports what real users do.
 */
final class MucOccupancy {
    private static final Logger LOG = LoggerFactory.getLogger(MucOccupancy.class);
    static final String RESOURCE = "bridge";
    static final Duration REJOIN_AFTER_KICK = Duration.ofSeconds(30);
    static final int MAX_NICK_ATTEMPTS = 6;
    static final int S_SELF = 110;
    static final int S_CREATED = 201;
    static final int S_BANNED = 301;
    static final int S_NICK_CHANGED = 303;
    static final int S_KICKED = 307;
    static final int S_SHUTDOWN = 332;

    private final XmppSettings settings;
    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final ScheduledExecutorService scheduler;
    private final MucMembership membership;
    private final Jid listenerJid;

    MucOccupancy(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets,
                 ScheduledExecutorService scheduler, MucMembership membership) {
        this.settings = settings;
        this.sender = sender;
        this.puppets = puppets;
        this.scheduler = scheduler;
        this.membership = Objects.requireNonNull(membership, "membership");
        try {
            // The listener is the component domain itself: no localpart a puppet could ever take.
            this.listenerJid = JidCreate.from(settings.componentDomain() + "/muc-listener");
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException(e);
        }
    }

    Jid listenerJid() {
        return listenerJid;
    }

    boolean connected() {
        return sender.isConnected();
    }

    /** The listener occupant of a new room (not yet joined). */
    Occupant newListener(MucRoom room) {
        Occupant listener = new Occupant(listenerJid, null, settings.listenerNick());
        room.ours.put(listenerJid, listener);
        return listener;
    }

    void leave(MucRoom room) {
        for (Occupant o : room.ours.values()) {
            if (o.state == State.JOINED || o.state == State.JOINING) {
                sendLeave(room, o);
            }
        }
    }

    void sendLeave(MucRoom room, Occupant o) {
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

    void startJoin(MucRoom room, Occupant o) {
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
     * asks for the history since the room's resume point ({@link MucRooms#resumeFrom}).
     */
    private static MUCInitialPresence history(MucRoom room, Occupant o) {
        Instant since = room.lastSeen;
        if (o.person == null && since != null) {
            return new MUCInitialPresence(null, -1, -1, -1, Date.from(since));
        }
        return new MUCInitialPresence(null, -1, 0, -1, null);
    }

    private void sendJoin(MucRoom room, Occupant o) {
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

    /** A presence about one of our own occupants (status 110, or the nick it is joining with). Inbound thread. */
    void selfPresence(MucRoom room, Occupant o, Presence p, String nick, Set<Integer> codes, MUCUser x) {
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
                    if (!room.dropped && o.state == State.LEFT) {
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

    /** A presence error for one of our occupants that is joining. Inbound thread. */
    void joinFailed(MucRoom room, Occupant o, StanzaError error) {
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

    void elect(MucRoom room) {
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
                membership.report(room, present, MembershipEvent.Membership.JOIN);
            }
        }
    }

    Jid puppetFullJid(UserRef person, Profile profile) {
        try {
            return JidCreate.fullFrom(puppets.ensure(person, profile), Resourcepart.from(RESOURCE));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new PermanentDeliveryException("cannot address " + person + " on XMPP: " + e.getMessage(), e);
        }
    }

    /** {@code person}'s occupant in {@code room}, joining (or changing nick) as needed. Router threads. */
    Occupant occupant(MucRoom room, UserRef person, Profile profile) {
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

    void awaitJoined(MucRoom room, Occupant o) {
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
}
