package org.bridgeappliance.adapter.xmpp.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ext.retract.RetractElement;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.provision.Provisioner;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageArchive;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.mam.element.MamQueryIQ;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

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
 * <p>History and MAM (XEP-0313) come from the bridge's {@link MessageArchive} ({@link GatewayArchive}).
 * This class routes a gateway room's stanzas to the part that handles them: joins and presence
 * ({@link GatewayJoins}), the past ({@link GatewayArchive}), deliveries ({@link GatewayDelivery}); it
 * handles the joiners' messages itself.
 *
 * <p>Limits (honest): the member list lives in memory and starts empty after a restart.
 */
public final class GatewayRooms {
    private final XmppSettings settings;
    private final PuppetDirectory puppets;
    private final GatewayAddressing addressing;
    private final XmppInboundConverter inbound;
    private final XmppIngress ingress;
    private final BridgeStores stores;
    private final Network network;
    private final Clock clock;
    private final HeldRooms rooms;
    private final XmppAvatars avatars;
    private final Provisioner provisioner;
    private final OccupantStanzas out;
    private final GatewayArchive archive;
    private final GatewayJoins joins;
    private final GatewayDelivery delivery;

    /**
     * @param limits      caps (rooms, occupants, members, status text) and the gateway's allow/deny lists
     * @param provisioner where unmapped rooms are created, off the inbound thread
     */
    public GatewayRooms(XmppSettings settings, StanzaSender sender, PuppetDirectory puppets, GatewayAddressing addressing,
                        XmppInboundConverter inbound, XmppOutboundConverter outbound, XmppIngress ingress,
                        BridgeStores stores, PortalCoordinator coordinator, Network network, Clock clock,
                        XmppAvatars avatars, XmppLimits limits, Provisioner provisioner) {
        this.settings = settings;
        this.puppets = puppets;
        this.addressing = addressing;
        this.inbound = inbound;
        this.ingress = ingress;
        this.stores = stores;
        this.network = network;
        this.clock = clock;
        this.avatars = java.util.Objects.requireNonNull(avatars, "avatars");
        this.provisioner = java.util.Objects.requireNonNull(provisioner, "provisioner");
        this.rooms = new HeldRooms(java.util.Objects.requireNonNull(limits, "limits"), network);
        this.out = new OccupantStanzas(sender, puppets);
        this.archive = new GatewayArchive(settings, stores, puppets, network, clock, out);
        this.joins = new GatewayJoins(stores, puppets, addressing, inbound, ingress, coordinator, network, clock, rooms,
                avatars, limits, GatewayPolicy.of(limits, settings.serverDomain()), provisioner, out, archive);
        this.delivery = new GatewayDelivery(sender, puppets, outbound, stores, clock, rooms, out);
        MamQueryProvider.install();
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
        joins.leaveAll();
    }

    // ------------------------------------------------------------------ inbound

    /** A presence to a gateway room (see {@link GatewayJoins}). Inbound thread. */
    public void onPresence(Presence request) {
        joins.onPresence(request);
    }

    /**
     * {@code person}'s avatar changed: a PROFILE_CHANGE in every gateway room they have joined. Returns whether any
     * was submitted. Inbound thread.
     */
    public boolean profileChanged(UserRef person) {
        return joins.profileChanged(person);
    }

    public void onMessage(Message m) {
        EntityBareJid roomJid = m.getTo().asEntityBareJidIfPossible();
        EntityFullJid user = m.getFrom().asEntityFullJidIfPossible();
        if (roomJid == null || user == null || m.getType() == Message.Type.error) {
            return;
        }
        if (provisioner.parkIfPending(GatewayJoins.provisionKey(roomJid), () -> onMessage(m),
                failure -> out.send(StanzaErrors.replyTo(m, failure.error())))) {
            return; // sent right after the join, before the room exists: handled after the join
        }
        Room room = rooms.existing(roomJid);
        if (m.getType() != Message.Type.groupchat || m.getTo().hasResource()) {
            out.send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.feature_not_implemented,
                    "Private messages in bridged rooms are not supported.")));
            return;
        }
        Joiner joiner = room == null ? null : room.joiners.get(user);
        if (joiner == null) {
            out.send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.not_acceptable,
                    "Join the room before writing to it.")));
            return;
        }
        String stanzaId = m.getStanzaId() != null ? scopedId(user.asEntityBareJid(), m.getStanzaId())
                : UUID.randomUUID().toString();
        UserRef person = UserRef.of(network.value(), user.asEntityBareJid().toString());
        avatars.seen(person, joins.avatarRoute(user));
        var context = new XmppInboundConverter.Context(room.portal, person, avatars.profile(person, joiner.nick()),
                Optional.of(RemoteMessageId.of(stanzaId)), clock.instant(), true,
                id -> scopedId(user.asEntityBareJid(), id));
        var result = inbound.convert(m, context);
        var outcome = ingress.submit(result);
        if (outcome.error().isPresent()) {
            out.send(StanzaErrors.replyTo(m, outcome.error().get()));
            return;
        }
        // Reflect to every joiner, the sender included (XEP-0045 §7.4), with the room's stanza-id.
        Message template = reflection(m, out.occupant(room, joiner.nick()), room.jid, stanzaId);
        // The router archives the accepted message (MessageArchive), under this stanza-id's canonical message.
        if (m.getSubject() != null && m.getBody() == null) {
            room.subject = m.getSubject();
        }
        for (Joiner j : room.joiners.values()) {
            out.send(template.asBuilder(m.getStanzaId()).to(j.jid()).build());
        }
    }

    /**
     * What a reflection carries of the joiner's message, as {@code namespace element}: the parts the bridge
     * understands and bridges (body, subject, thread, XEP-0308, 0444, 0461, 0428, 0424, 0066, 0085, 0333 and the
     * XEP-0359 origin-id). Anything else (unknown extensions, a forged stanza-id or XEP-0425 moderation, XHTML-IM
     * the bridge would have to sanitise) is not passed on to the other joiners under the room's name; a XEP-0424
     * retraction goes on without the {@code <moderated/>} claim and reason a joiner may put inside it.
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
                b.addExtension(withoutModeration(e));
            }
        }
        b.addExtension(new StanzaIdElement(stanzaId, roomJid.toString()));
        return b.build();
    }

    /** A retraction as the room passes it on: its target only, never a joiner's moderation claim inside it. */
    private static org.jivesoftware.smack.packet.ExtensionElement withoutModeration(
            org.jivesoftware.smack.packet.ExtensionElement e) {
        if (e instanceof RetractElement r) {
            return RetractElement.retraction(r.getId());
        }
        return e;
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
        Room room = roomJid == null ? null : rooms.existing(roomJid);
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
                    "Join the room to read its archive.")) : archive.mam(room, query);
        }
        return IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.service_unavailable, null));
    }

    // ------------------------------------------------------------------ outbound

    public DeliveryReceipt deliver(Delivery d) {
        return delivery.deliver(d);
    }
}
