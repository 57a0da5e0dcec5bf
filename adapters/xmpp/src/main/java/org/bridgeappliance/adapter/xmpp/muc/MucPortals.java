package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.EarlyCopies;
import org.bridgeappliance.core.store.MessageAliasStore;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.ReactionStore;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

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
 *
 * <p>This class only wires the package's parts, one job each: {@link MucRooms} (which MUCs are joined, stream
 * up/down, self-pings, availability), {@link MucOccupancy} (our occupants: joins, nicks, kicks, election),
 * {@link MucInbound} (presences and messages from rooms), {@link MucMessageIds} (stanza-ids and aliases),
 * {@link MucDelivery} (sending as a puppet, reflections) and {@link MucMembership}/{@link MucIdentities} (who a
 * participant is, their joins and leaves). {@link MucRoom} is their shared per-room state.
 */
public final class MucPortals {
    private final MucRooms rooms;
    private final MucInbound inbound;
    private final MucDelivery delivery;

    public MucPortals(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, XmppInboundConverter inbound,
                      XmppOutboundConverter outbound, XmppIngress ingress, ReactionStore reactions,
                      MessageMapStore messages, MessageAliasStore aliases, Network network, Clock clock,
                      ScheduledExecutorService scheduler, XmppAvatars avatars, MucServices services,
                      XmppLimits limits, EarlyCopies copies) {
        MucIdentities identities = new MucIdentities(network, services);
        MucMembership membership = new MucMembership(identities, avatars, ingress, clock);
        MucOccupancy occupancy = new MucOccupancy(settings, sender, puppets, scheduler, membership);
        MucMessageIds ids = new MucMessageIds(aliases);
        this.rooms = new MucRooms(settings, sender, puppets, services, network, occupancy);
        this.delivery = new MucDelivery(settings, sender, outbound, reactions, messages, clock, copies, rooms,
                occupancy, ids);
        this.inbound = new MucInbound(settings, sender, puppets, inbound, ingress, avatars, limits, clock, rooms,
                occupancy, membership, identities, ids, delivery);
    }

    /**
     * Where a room's relaying resumes after a restart (the time of the newest message archived for that MUC's
     * bridged room); called once at start, before the first {@link #sync}.
     */
    public void resumeFrom(Function<EntityBareJid, Optional<Instant>> resumePoint) {
        rooms.resumeFrom(resumePoint);
    }

    /** True if {@code bare} is a MUC this adapter has joined or is joining. */
    public boolean isBridgedMuc(Jid bare) {
        return rooms.isBridgedMuc(bare);
    }

    /** Whether a portal room id names an existing MUC (not a 1:1 pair, not a gateway room). */
    public boolean isMucPortal(String roomId) {
        return rooms.isMucPortal(roomId);
    }

    /** Brings the set of joined MUCs in line with the room directory; joins the listener where needed. */
    public void sync(Collection<String> mucRoomIds) {
        rooms.sync(mucRoomIds);
    }

    /** After a (re)connect: everyone who was in a room joins again (the server forgot them). */
    public void connected() {
        rooms.connected();
    }

    /** The stream is gone: nobody is joined any more. */
    public void disconnected() {
        rooms.disconnected();
    }

    /** Before the component disconnects: an unavailable presence for every joined occupant. */
    public void leaveAll() {
        rooms.leaveAll();
    }

    /** XEP-0410 self-ping of every joined occupant; rejoins the ones the room forgot. */
    public void selfPing() {
        rooms.selfPing();
    }

    /** A presence from a bridged MUC (from {@code room/nick}). */
    public void onPresence(Presence p) {
        inbound.onPresence(p);
    }

    /** A message from a bridged MUC (groupchat, a private message, or an error). */
    public void onMessage(Message m) {
        inbound.onMessage(m);
    }

    /**
     * {@code person}'s avatar changed after they were seen: a PROFILE_CHANGE (subject = sender = them, with the new
     * profile) in every bridged MUC where they are a participant, reported by the room's listener. Returns whether
     * any was submitted. Inbound thread.
     */
    public boolean profileChanged(UserRef person) {
        return inbound.profileChanged(person);
    }

    /** Delivers one event into a bridged MUC as its author's puppet. */
    public DeliveryReceipt deliver(Delivery delivery) {
        return this.delivery.deliver(delivery);
    }

    /** Shows a person's availability in every room their puppet is in. */
    public void presence(UserRef person, Presence.Mode mode, Optional<String> status, boolean offline) {
        rooms.presence(person, mode, status, offline);
    }

    /** The rooms and their joined occupants, for diagnostics and tests. */
    public Map<String, List<String>> occupants() {
        return rooms.occupants();
    }

    /** The elected listener of a room, for tests. */
    public Optional<Jid> listener(String room) {
        return rooms.listener(room);
    }
}
