package org.bridgeappliance.adapter.xmpp.direct;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.xmpp.address.DirectChatIds;
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
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.sid.element.OriginIdElement;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 1:1 chats between an XMPP user and a puppet JID. The portal id is
 * {@code dm:<user bare JID> <puppet bare JID>} ({@link DirectChatIds}); a first message to a puppet
 * opens the bridged room through the {@link PortalCoordinator}. Receipts (XEP-0184) are answered
 * once the core has durably queued the message; subscriptions to puppets are accepted; probes are
 * answered with the puppet's last known presence (unavailable when none is known, never a made-up
 * "online").
 *
 * <p>A first message opens the chat on the other network through the {@link Provisioner} (off the inbound
 * thread, rate-limited per sender, failures cached); later stanzas of that chat wait for it in order. What is
 * remembered per person (their last presence, the chats they opened, puppets' last presence) is capped at
 * {@code bridge.xmpp.max-tracked-users} each, least recently used dropped.
 *
 * <p>Threading: stanza handlers on the inbound thread; {@link #deliver} on router threads.
 */
public final class DirectChats {
    private static final Logger LOG = LoggerFactory.getLogger(DirectChats.class);
    private static final String RESOURCE = "bridge";

    /** A puppet's last availability, for probes and new subscribers. */
    record Shown(Presence.Mode mode, Optional<String> status, boolean offline) {
    }

    private final StanzaSender sender;
    private final PuppetDirectory puppets;
    private final XmppInboundConverter inbound;
    private final XmppOutboundConverter outbound;
    private final XmppIngress ingress;
    private final BridgeStores stores;
    private final PortalCoordinator coordinator;
    private final Network network;
    private final Clock clock;
    /** The most chats per user {@link #profileChanged} announces a new avatar in (the first ones opened). */
    static final int MAX_CHATS_PER_USER = 64;

    private final Lru<UserRef, Shown> shown;
    private final Lru<EntityBareJid, String> lastUserPresence;
    /** XMPP users' last availability, sent again with a new profile when their avatar changes. */
    private final Lru<UserRef, org.bridgeappliance.core.model.PresenceEvent> lastUserPresenceEvent;
    /**
     * The 1:1 chats each XMPP user opened in this run and the name they last showed there: where a new avatar of
     * someone who never sent presence is announced (a profile change in each chat).
     */
    private final Lru<UserRef, Chats> chats;
    private final XmppAvatars avatars;
    private final XmppLimits limits;
    private final Provisioner provisioner;

    private record Chats(Set<Portal> portals, String name) {
    }

    public DirectChats(StanzaSender sender, PuppetDirectory puppets, XmppInboundConverter inbound,
                       XmppOutboundConverter outbound, XmppIngress ingress, BridgeStores stores,
                       PortalCoordinator coordinator, Network network, Clock clock, XmppAvatars avatars,
                       XmppLimits limits, Provisioner provisioner) {
        this.sender = sender;
        this.puppets = puppets;
        this.inbound = inbound;
        this.outbound = outbound;
        this.ingress = ingress;
        this.stores = stores;
        this.coordinator = coordinator;
        this.network = network;
        this.clock = clock;
        this.avatars = java.util.Objects.requireNonNull(avatars, "avatars");
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.provisioner = java.util.Objects.requireNonNull(provisioner, "provisioner");
        this.shown = new Lru<>(limits.maxTrackedUsers());
        this.lastUserPresence = new Lru<>(limits.maxTrackedUsers());
        this.lastUserPresenceEvent = new Lru<>(limits.maxTrackedUsers());
        this.chats = new Lru<>(limits.maxTrackedUsers());
    }

    /** A message from an XMPP user to a puppet JID. */
    public void onMessage(Message m, UserRef person) {
        if (m.getType() == Message.Type.headline || m.getType() == Message.Type.groupchat) {
            return;
        }
        EntityBareJid user = m.getFrom().asEntityBareJidIfPossible();
        EntityBareJid puppet = m.getTo().asEntityBareJidIfPossible();
        if (user == null || puppet == null) {
            reply(m, StanzaErrors.error(StanzaError.Condition.bad_request, "Messages must come from a user JID."));
            return;
        }
        Portal portal = new Portal(network, DirectChatIds.of(user, puppet));
        String key = "dm " + portal.room().value();
        // A chat being opened: this stanza waits for it, in order (the second message never overtakes the first).
        if (provisioner.parkIfPending(key, () -> onMessage(m, person), failure -> reply(m, failure.error()))) {
            return;
        }
        UserRef from = UserRef.of(network.value(), user.toString());
        String remote = m.getStanzaId() != null ? m.getStanzaId()
                : Optional.ofNullable(OriginIdElement.getOriginId(m)).map(OriginIdElement::getId).orElse(null);
        // XEP-0054: the user's vCard is asked for once on first sight (then negative-cached), from the puppet.
        avatars.seen(from, new XmppAvatars.Route(puppet, user));
        var context = new XmppInboundConverter.Context(portal, from, withAvatar(from, profile(m, user)),
                Optional.ofNullable(remote).map(RemoteMessageId::of), clock.instant(), false);
        XmppInboundConverter.Result result = inbound.convert(m, context);
        if (result.isEmpty()) {
            return;
        }
        if (stores.rooms().findByPortal(portal).isEmpty()) {
            if (!isContent(result)) {
                return; // typing or markers for a chat that does not exist yet: nothing to open it for
            }
            // Opened on the provisioner's pool; this message is handled again once the chat exists.
            provisioner.provision(key, user.toString(), () -> {
                Optional<BridgedRoom> opened;
                try {
                    opened = coordinator.ensureDirectChat(portal, from, person);
                } catch (RuntimeException e) {
                    LOG.warn("could not open a chat {} -> {}: {}", user, person, e.toString());
                    opened = Optional.empty();
                }
                return opened.isPresent() ? Optional.empty()
                        : Optional.of(new Provisioner.Failure(StanzaError.Condition.service_unavailable,
                                "The bridge cannot open a chat with " + person.user() + " right now."));
            }, () -> onMessage(m, person), failure -> reply(m, failure.error()));
            return;
        }
        String name = context.profile().displayName().orElse(user.getLocalpart().toString());
        chats.compute(from, (k, known) -> {
            Set<Portal> portals = known == null ? ConcurrentHashMap.newKeySet() : known.portals();
            if (portals.size() < MAX_CHATS_PER_USER) {
                portals.add(portal);
            }
            return new Chats(portals, name);
        });
        XmppIngress.Outcome outcome = ingress.submit(result);
        if (outcome.error().isPresent()) {
            reply(m, outcome.error().get());
            return;
        }
        if (result.wantsReceipt() && outcome.accepted()) {
            // XEP-0184: "received" here means the bridge has it durably; Matrix read markers are separate.
            send(StanzaBuilder.buildMessage().from(m.getTo()).to(m.getFrom())
                    .addExtension(new org.jivesoftware.smackx.receipts.DeliveryReceipt(m.getStanzaId())).build());
        }
    }

    /** The sender's name: their XEP-0172 nick when they send one, else their JID's localpart. */
    static Profile profile(org.jivesoftware.smack.packet.Stanza stanza, EntityBareJid user) {
        org.jivesoftware.smackx.nick.packet.Nick nick = stanza.getExtension(org.jivesoftware.smackx.nick.packet.Nick.class);
        if (nick != null && nick.getName() != null && !nick.getName().isBlank() && nick.getName().length() <= 256) {
            return Profile.named(nick.getName().strip());
        }
        return Profile.named(user.getLocalpart().toString());
    }

    private Profile withAvatar(UserRef person, Profile named) {
        return avatars.profile(person, named.displayName().orElse(null));
    }

    private static boolean isContent(XmppInboundConverter.Result result) {
        return result.reactions().isPresent() || result.events().stream().anyMatch(e -> e instanceof MessageEvent
                || e instanceof EditEvent || e instanceof org.bridgeappliance.core.model.RetractionEvent);
    }

    /** A presence from an XMPP user to a puppet: subscriptions, probes, and the user's availability. */
    public void onPresence(Presence p, UserRef person) {
        EntityBareJid user = p.getFrom().asEntityBareJidIfPossible();
        EntityBareJid puppet = p.getTo().asEntityBareJidIfPossible();
        if (user == null || puppet == null) {
            return;
        }
        switch (p.getType()) {
            case subscribe -> {
                // RFC 6121 §3.1.3: approve, then tell the new subscriber what the puppet shows.
                send(StanzaBuilder.buildPresence().ofType(Presence.Type.subscribed).from(puppet).to(user).build());
                sendShown(person, puppet, user);
            }
            case unsubscribe -> send(StanzaBuilder.buildPresence().ofType(Presence.Type.unsubscribed).from(puppet)
                    .to(user).build());
            case probe -> sendShown(person, puppet, user);
            case available, unavailable -> userPresence(p, user, puppet);
            default -> {
            }
        }
    }

    private void userPresence(Presence request, EntityBareJid user, EntityBareJid puppet) {
        Presence p = limits.boundedStatus(request);
        UserRef person = UserRef.of(network.value(), user.toString());
        if (p.getType() == Presence.Type.available) {
            // XEP-0153: the avatar hash in the user's presence; the vCard is asked for from the puppet it was sent to.
            avatars.observe(person, PhotoHint.of(p), new XmppAvatars.Route(puppet, user));
        }
        String key = p.getType() + "|" + p.getMode() + "|" + p.getStatus();
        if (key.equals(lastUserPresence.put(user, key))) {
            return; // the same presence reaches every puppet the user subscribed to
        }
        var event = inbound.convertPresence(p, person, withAvatar(person, profile(p, user)), clock.instant());
        lastUserPresenceEvent.put(person, event);
        ingress.submit(event);
    }

    /**
     * {@code person}'s avatar changed and they are in no bridged room: their last presence again, with the new
     * profile, so their puppets elsewhere update. Returns whether one was submitted. Inbound thread.
     */
    public boolean profileChanged(UserRef person) {
        var last = lastUserPresenceEvent.get(person);
        if (last == null) {
            // No presence seen (a contact who only writes): a profile change in each of their chats, so that the
            // avatar learned from their vCard shows before their next message.
            Chats known = chats.get(person);
            if (known == null) {
                return false; // not seen in a chat either: the profile travels with their next message
            }
            Profile profile = avatars.profile(person, known.name());
            for (Portal portal : known.portals()) {
                var meta = new org.bridgeappliance.core.model.EventMeta(portal, person, profile, Optional.empty(),
                        clock.instant());
                ingress.submit(new XmppInboundConverter.Result(java.util.List.of(
                        new org.bridgeappliance.core.model.MembershipEvent(meta, person,
                                org.bridgeappliance.core.model.MembershipEvent.Membership.PROFILE_CHANGE,
                                Optional.empty())), Optional.empty(), false));
            }
            return true;
        }
        var updated = new org.bridgeappliance.core.model.PresenceEvent(person, last.presence(), last.note(),
                avatars.profile(person, last.profile().displayName().orElse(null)), clock.instant());
        lastUserPresenceEvent.put(person, updated);
        ingress.submit(updated);
        return true;
    }

    private void sendShown(UserRef person, EntityBareJid puppet, EntityBareJid user) {
        Shown s = shown.get(person);
        try {
            Jid from = JidCreate.fullFrom(puppet, Resourcepart.from(RESOURCE));
            var b = StanzaBuilder.buildPresence().from(from).to(user);
            if (s == null || s.offline()) {
                b.ofType(Presence.Type.unavailable);
            } else {
                b.setMode(s.mode()).addExtension(puppets.photoUpdate(person));
                s.status().ifPresent(b::setStatus);
            }
            send(b.build());
        } catch (XmppStringprepException e) {
            LOG.debug("no presence for {}", puppet);
        }
    }

    /** Shows a puppet's availability to every XMPP user it has a 1:1 chat with. */
    public void presence(UserRef person, Presence.Mode mode, Optional<String> status, boolean offline) {
        shown.put(person, new Shown(mode, status, offline));
        EntityBareJid puppet;
        try {
            puppet = puppets.ensure(person, Profile.EMPTY);
        } catch (IllegalArgumentException e) {
            return;
        }
        for (BridgedRoom room : stores.rooms().all()) {
            room.portalOn(network).flatMap(p -> DirectChatIds.parse(p.room()))
                    .filter(pair -> pair.puppet().equals(puppet))
                    .ifPresent(pair -> sendShown(person, puppet, pair.user()));
        }
    }

    /** Delivers one event into a 1:1 chat, from the author's puppet to the XMPP user. */
    public org.bridgeappliance.core.port.DeliveryReceipt deliver(Delivery delivery) {
        RoomEvent event = delivery.event();
        DirectChatIds.Pair pair = DirectChatIds.parse(delivery.target().room())
                .orElseThrow(() -> new PermanentDeliveryException("not a 1:1 room id: " + delivery.target().room()));
        if (!(event instanceof MessageEvent || event instanceof EditEvent || event instanceof ReactionEvent
                || event instanceof org.bridgeappliance.core.model.RetractionEvent
                || event instanceof org.bridgeappliance.core.model.TypingEvent
                || event instanceof org.bridgeappliance.core.model.ReadMarkerEvent)) {
            return org.bridgeappliance.core.port.DeliveryReceipt.NONE;
        }
        Jid from;
        try {
            from = JidCreate.fullFrom(puppets.ensure(event.sender(), event.meta().profile()), Resourcepart.from(RESOURCE));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new PermanentDeliveryException("cannot address " + event.sender() + " on XMPP", e);
        }
        // Deterministic (message, portal, part): a retried delivery repeats its id and origin-id (XEP-0359).
        String id = org.bridgeappliance.adapter.xmpp.address.DeliveryIds.of(delivery);
        var target = new XmppOutboundConverter.Target(from, pair.user(), Message.Type.chat, id, clock.instant());
        Set<String> reactions = ReactionSets.forDelivery(stores.messages(), stores.reactions(), delivery);
        Optional<Message> stanza;
        try {
            stanza = outbound.convert(delivery, target, reactions);
        } catch (IllegalArgumentException e) {
            throw new PermanentDeliveryException(e.getMessage(), e);
        }
        if (stanza.isEmpty()) {
            return org.bridgeappliance.core.port.DeliveryReceipt.NONE;
        }
        Message message = stanza.get();
        if (event instanceof MessageEvent) {
            // XEP-0172: clients show the Matrix display name instead of the escaped puppet JID.
            String name = PuppetDirectory.displayName(event.sender(), puppets.profile(event.sender()));
            message = message.asBuilder(message.getStanzaId())
                    .addExtension(new org.jivesoftware.smackx.nick.packet.Nick(name)).build();
        }
        try {
            sender.send(message);
        } catch (NotConnectedException e) {
            throw new TransientDeliveryException("XMPP component not connected", e);
        }
        return event instanceof MessageEvent || event instanceof EditEvent
                ? org.bridgeappliance.core.port.DeliveryReceipt.of(id)
                : org.bridgeappliance.core.port.DeliveryReceipt.NONE;
    }

    /**
     * The 1:1 room between {@code person}'s puppet and the XMPP user {@code localUser}
     * (PortalProvisioning): no network I/O, the id is the pair.
     */
    public RemoteRoomId ensure(UserRef person, RemoteUserId localUser) {
        EntityBareJid user;
        try {
            user = JidCreate.entityBareFrom(localUser.value());
        } catch (XmppStringprepException e) {
            throw new PermanentDeliveryException("not an XMPP address: " + localUser, e);
        }
        if (puppets.addressing().isOnComponent(user)) {
            throw new PermanentDeliveryException("cannot open a chat with a bridged user: " + localUser);
        }
        try {
            return DirectChatIds.of(user, puppets.ensure(person, Profile.EMPTY));
        } catch (IllegalArgumentException e) {
            throw new PermanentDeliveryException(e.getMessage(), e);
        }
    }

    private void reply(Message m, StanzaError error) {
        StanzaErrors.replyTo(m, error).ifPresent(this::send);
    }

    private void send(org.jivesoftware.smack.packet.Stanza s) {
        try {
            sender.send(s);
        } catch (NotConnectedException e) {
            LOG.debug("not sent: {}", e.getMessage());
        }
    }

    /** The largest of the per-person memories (tests: they stay within {@code max-tracked-users}). */
    int remembered() {
        return Math.max(Math.max(shown.size(), lastUserPresence.size()),
                Math.max(lastUserPresenceEvent.size(), chats.size()));
    }

    static boolean hasChatState(Message m) {
        return m.getExtensions().stream().anyMatch(e -> e instanceof ChatStateExtension);
    }
}
