package org.bridgeappliance.adapter.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import org.bridgeappliance.adapter.xmpp.address.DirectChatIds;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarLinks;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.Backoff;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnectionConfig;
import org.bridgeappliance.adapter.xmpp.component.ComponentSession;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.adapter.xmpp.component.StreamException;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.direct.DirectChats;
import org.bridgeappliance.adapter.xmpp.disco.DiscoResponder;
import org.bridgeappliance.adapter.xmpp.disco.MucRoomListing;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ext.XmppExtensions;
import org.bridgeappliance.adapter.xmpp.gateway.GatewayRooms;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.muc.MucPortals;
import org.bridgeappliance.adapter.xmpp.muc.MucServices;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.PresenceSupport;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomListing;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgedRoom;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XMPP adapter: an external component (XEP-0114) on which other networks' people appear as
 * puppets, bridging existing MUCs ({@link MucPortals}), 1:1 chats ({@link DirectChats}) and gateway
 * rooms the component serves itself ({@link GatewayRooms}). Plain Java: {@link XmppAdapterBean} only
 * wires it into Micronaut.
 *
 * <p>Threading: {@link #start}/{@link #stop} on the appliance's lifecycle thread; stanzas are handled
 * on one inbound thread in stream order; {@link #deliver} on the router's room threads;
 * {@link #deliverPresence} on the router's presence pool.
 */
public final class XmppAdapter implements ProtocolAdapter, PortalProvisioning, PresenceSupport, RoomListing {
    private static final Logger LOG = LoggerFactory.getLogger(XmppAdapter.class);
    public static final Network NETWORK = Network.of("xmpp");
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    static final Duration ROOM_SYNC_INTERVAL = Duration.ofSeconds(10);

    private final XmppSettings settings;
    private final DoubleSupplier random;
    private final PuppetAddressing addressing;
    private final GatewayAddressing gatewayAddressing;
    private volatile AdapterState fixedState;
    private AdapterContext context;
    private ComponentSession session;
    private ScheduledExecutorService scheduler;
    private PuppetDirectory puppets;
    private MucPortals mucs;
    private DirectChats directs;
    private GatewayRooms gateways;
    private DiscoResponder disco;
    private boolean stopped;
    private volatile List<String> avatarTrustedUrlPrefixes = List.of();
    private volatile String publicBaseUrl = "";
    private volatile List<String> mucServices;
    private volatile MucServices allowedMucServices;
    private volatile XmppAvatars avatars;
    private volatile org.bridgeappliance.adapter.xmpp.limits.XmppLimits limits =
            org.bridgeappliance.adapter.xmpp.limits.XmppLimits.defaults();
    private org.bridgeappliance.adapter.xmpp.provision.Provisioner provisioner;

    public XmppAdapter(XmppSettings settings) {
        this(settings, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random jitter source for reconnect backoff (tests pass a fixed one) */
    public XmppAdapter(XmppSettings settings, DoubleSupplier random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
        this.addressing = new PuppetAddressing(settings.componentDomain());
        this.gatewayAddressing = new GatewayAddressing(settings.componentDomain());
        this.fixedState = AdapterState.of(AdapterState.Status.STARTING, "not started");
    }

    @Override
    public Network network() {
        return NETWORK;
    }

    @Override
    public Optional<org.bridgeappliance.core.port.AddressSyntax> addressSyntax() {
        return Optional.of(org.bridgeappliance.adapter.xmpp.address.XmppAddressSyntax.INSTANCE);
    }

    public XmppSettings settings() {
        return settings;
    }

    /**
     * {@code bridge.xmpp.avatar-trusted-url-prefixes}: URL prefixes whose avatars are fetched even over http or
     * on an internal address (the appliance's own media links). Call before {@link #start}; an invalid prefix
     * makes start report FAILED.
     */
    public void setAvatarTrustedUrlPrefixes(List<String> prefixes) {
        this.avatarTrustedUrlPrefixes = List.copyOf(Objects.requireNonNull(prefixes, "prefixes"));
    }

    public List<String> avatarTrustedUrlPrefixes() {
        return avatarTrustedUrlPrefixes;
    }

    /**
     * {@code bridge.xmpp.public-base-url}: where other networks reach this appliance's HTTP server; XMPP users'
     * avatars are published under it ({@link AvatarLinks}). Empty (the default): avatars are not published.
     * Call before {@link #start}; an invalid URL makes start report FAILED.
     */
    public void setPublicBaseUrl(String url) {
        this.publicBaseUrl = url == null ? "" : url.strip();
    }

    public String publicBaseUrl() {
        return publicBaseUrl;
    }

    /** Caps, provisioning bounds and the gateway's allow/deny lists (bridge.xmpp.*, XmppLimits). Call before start. */
    public void setLimits(org.bridgeappliance.adapter.xmpp.limits.XmppLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public org.bridgeappliance.adapter.xmpp.limits.XmppLimits limits() {
        return limits;
    }

    /**
     * {@code bridge.xmpp.muc-services}: the MUC services whose rooms may be bridged (see {@link MucServices});
     * null or not called: the configured {@code muc-domain} alone. Call before {@link #start}; an invalid entry
     * makes start report FAILED.
     */
    public void setMucServices(List<String> services) {
        this.mucServices = services == null ? null : List.copyOf(services);
    }

    /** The MUC services rooms may be bridged on (the configured list, else the {@code muc-domain}). */
    public List<String> mucServices() {
        List<String> configured = mucServices;
        return configured == null || configured.isEmpty() ? List.of(settings.mucDomain()) : configured;
    }

    /** XMPP users' avatars (learned, published, served); empty before {@link #start} or when disabled. */
    public Optional<XmppAvatars> avatars() {
        return Optional.ofNullable(avatars);
    }

    @Override
    public synchronized void start(AdapterContext context) {
        this.context = Objects.requireNonNull(context, "context");
        if (!settings.enabled()) {
            report(AdapterState.of(AdapterState.Status.DISABLED, "bridge.xmpp.enabled is false"));
            return;
        }
        String problems = settings.problems() + PuppetDirectory.prefixProblems(avatarTrustedUrlPrefixes)
                + AvatarLinks.problems(publicBaseUrl)
                + MucServices.problems(mucServices(), settings.componentDomain());
        if (!problems.isEmpty()) {
            report(AdapterState.of(AdapterState.Status.FAILED, "configuration: " + problems.strip()));
            return;
        }
        XmppExtensions.register();
        fixedState = null;
        scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "xmpp-scheduler");
            t.setDaemon(true);
            return t;
        });
        var config = new ComponentConnectionConfig(settings.host(), settings.port(), settings.componentDomain(),
                settings.secret(), settings.maxStanzaBytes(), Duration.ofSeconds(10), Duration.ofSeconds(10), 10_000);
        session = new ComponentSession(config, new Backoff(settings.reconnectMin(), settings.reconnectMax(), random),
                settings.pingInterval(), settings.pingTimeout(), settings.serverDomain(), new Handler(), new Listener());
        var ingress = new XmppIngress(context.ingress(), context.stores());
        var inbound = new XmppInboundConverter();
        var outbound = new XmppOutboundConverter();
        puppets = new PuppetDirectory(addressing, context.stores().puppets(), NETWORK, context.clock(),
                avatarTrustedUrlPrefixes, limits);
        provisioner = new org.bridgeappliance.adapter.xmpp.provision.Provisioner(limits, session::runInbound,
                context.clock());
        Optional<AvatarLinks> links = Optional.of(publicBaseUrl).filter(u -> !u.isBlank())
                .map(u -> new AvatarLinks(u, settings.secret()));
        if (links.isEmpty()) {
            LOG.info("bridge.xmpp.public-base-url is empty: XMPP users' avatars are not published to other networks");
        }
        avatars = new XmppAvatars(links, session, context.clock(), XmppAvatars.NEGATIVE_TTL, XmppAvatars.FETCH_TIMEOUT,
                XmppAvatars.CACHE_BYTES, this::defaultAvatarRoute, NETWORK.value());
        allowedMucServices = new MucServices(mucServices());
        LOG.info("MUC services whose rooms may be bridged: {}", allowedMucServices.domains());
        mucs = new MucPortals(settings, session, puppets, inbound, outbound, ingress, context.stores().reactions(),
                context.stores().messages(), context.stores().aliases(), NETWORK, context.clock(), scheduler, avatars,
                allowedMucServices, limits, context.copies());
        mucs.resumeFrom(this::newestArchived);
        directs = new DirectChats(session, puppets, inbound, outbound, ingress, context.stores(), context.portals(),
                NETWORK, context.clock(), avatars, limits, provisioner);
        gateways = new GatewayRooms(settings, session, puppets, gatewayAddressing, inbound, outbound, ingress,
                context.stores(), context.portals(), NETWORK, context.clock(), avatars, limits, provisioner);
        // Learned asynchronously: the update goes out on the inbound thread, in order with the stanzas.
        avatars.setListener((person, link) -> {
            try {
                session.runInbound(() -> avatarChanged(person));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("avatar update of {} dropped: stopping", person.user());
            }
        });
        disco = new DiscoResponder(settings.componentDomain(), addressing, gatewayAddressing, settings.gatewayEnabled(),
                gateways::roomJids);
        long selfPing = settings.selfPingInterval().toMillis();
        scheduler.scheduleWithFixedDelay(guard(mucs::selfPing), selfPing, selfPing, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guard(this::syncRooms), ROOM_SYNC_INTERVAL.toMillis(),
                ROOM_SYNC_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        session.start();
    }

    private static Runnable guard(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("periodic XMPP task failed: {}", e.toString());
            }
        };
    }

    /** Joins the MUCs the room directory maps, leaves the ones no longer mapped. */
    void syncRooms() {
        if (session == null || !session.isConnected()) {
            return;
        }
        List<String> mucRooms = new ArrayList<>();
        for (BridgedRoom room : context.stores().rooms().all()) {
            if (room.enabled()) {
                room.portalOn(NETWORK).map(p -> p.room().value()).filter(mucs::isMucPortal).ifPresent(mucRooms::add);
            }
        }
        mucs.sync(mucRooms);
    }

    @Override
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (session != null) {
            // Goodbyes first (queued before the stream close): rooms must not keep ghosts of our puppets.
            mucs.leaveAll();
            gateways.leaveAll();
            session.stop(STOP_GRACE);
            scheduler.shutdownNow();
            puppets.close();
            avatars.close();
            provisioner.close();
        }
        report(AdapterState.of(AdapterState.Status.STOPPED, "stopped"));
    }

    @Override
    public AdapterState state() {
        AdapterState fixed = fixedState;
        if (fixed != null || session == null) {
            return fixed != null ? fixed : AdapterState.of(AdapterState.Status.STARTING, "not started");
        }
        return session.state();
    }

    private void report(AdapterState state) {
        fixedState = state;
        if (context != null) {
            try {
                context.stateListener().stateChanged(NETWORK, state);
            } catch (RuntimeException e) {
                LOG.warn("state listener failed: {}", e.toString());
            }
        }
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        // XMPP with current XEPs carries all of it (XHTML-IM is shown by fewer clients than styling, but the
        // plain body always stands on its own). Bodies stay well below common stanza limits (Prosody 256 KiB).
        int max = (int) Math.max(64, Math.min(60_000, settings.maxStanzaBytes() / 4));
        return new RoomCapabilities(true, true, true, true, true, true, true, true, max);
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        try {
            Jid jid = JidCreate.from(user.value());
            return jid.getDomain().toString().equals(settings.componentDomain());
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        if (session == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        String room = delivery.target().room().value();
        if (DirectChatIds.isDirect(delivery.target().room())) {
            return directs.deliver(delivery);
        }
        if (gateways.isGatewayPortal(room)) {
            return gateways.deliver(delivery);
        }
        if (mucs.isMucPortal(room)) {
            return mucs.deliver(delivery);
        }
        throw new PermanentDeliveryException("not an XMPP room address: " + room);
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        try {
            RoomEvent event = failure.event();
            Portal origin = event.origin();
            String text = "Not delivered to " + failure.target().network() + ": " + failure.reason();
            StanzaError error = StanzaErrors.error(StanzaError.Condition.service_unavailable, text);
            String id = event.remoteId().map(Object::toString).orElse(null);
            Jid to = JidCreate.from(event.sender().user().value());
            Jid from;
            Optional<DirectChatIds.Pair> pair = DirectChatIds.parse(origin.room());
            if (pair.isPresent()) {
                from = JidCreate.fullFrom(pair.get().puppet(), org.jxmpp.jid.parts.Resourcepart.from("bridge"));
            } else if (to.hasResource() && to.asBareJid().toString().equals(origin.room().value())) {
                // A MUC occupant whose real JID the room hides: errors must not go into the room (MUC
                // services kick occupants that bounce errors); logged for the admin instead.
                LOG.warn("delivery of {} from {} failed: {}", id, to, failure.reason());
                return;
            } else {
                from = JidCreate.domainBareFrom(settings.componentDomain());
            }
            var message = StanzaBuilder.buildMessage(id).ofType(Message.Type.error).from(from).to(to).setError(error);
            if (event instanceof org.bridgeappliance.core.model.MessageEvent m && !m.body().plain().isEmpty()) {
                message.setBody(m.body().plain());
            }
            session.send(message.build());
        } catch (XmppStringprepException | ComponentConnection.NotConnectedException | RuntimeException e) {
            LOG.warn("could not report a failed delivery to its XMPP author: {}", e.toString());
        }
    }

    @Override
    public void deliverPresence(PresenceEvent presence) {
        if (session == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        var mode = XmppOutboundConverter.show(presence.presence());
        var status = XmppOutboundConverter.status(presence.presence(), presence.note());
        boolean offline = presence.presence() == Presence.OFFLINE;
        if (!presence.profile().equals(org.bridgeappliance.core.model.Profile.EMPTY)) {
            puppets.ensure(presence.sender(), presence.profile());
        }
        directs.presence(presence.sender(), mode, status, offline);
        mucs.presence(presence.sender(), mode, status, offline);
    }

    @Override
    public RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser) {
        if (directs == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        return directs.ensure(person, localUser, settings.componentDomain());
    }

    @Override
    public List<ListedRoom> listRooms(String query, int limit) {
        ComponentSession s = session;
        if (s == null || !s.isConnected()) {
            throw new RoomListingException("the XMPP adapter is not connected: " + state().detail());
        }
        return new MucRoomListing(s, settings.mucDomain(), settings.componentDomain(), settings.joinTimeout())
                .list(query, limit);
    }

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        if (session == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        String candidate = address.startsWith("xmpp:") ? address.substring(5) : address;
        int query = candidate.indexOf('?');
        if (query >= 0) {
            candidate = candidate.substring(0, query);
        }
        EntityBareJid room;
        try {
            room = JidCreate.entityBareFrom(candidate);
        } catch (XmppStringprepException e) {
            return Optional.empty();
        }
        if (room.getDomain().toString().equals(settings.componentDomain())) {
            return Optional.empty(); // our own gateway rooms are not MUCs to bridge again
        }
        if (!allowedMucServices.allows(room)) {
            // A foreign service decides what its presences claim (real JIDs, moderations): never joined.
            LOG.info("refused to resolve {}: MUC service not in bridge.xmpp.muc-services {}", room,
                    allowedMucServices.domains());
            return Optional.empty();
        }
        DiscoverInfo request = new DiscoverInfo();
        request.setTo(room);
        request.setFrom(org.jxmpp.jid.impl.JidCreate.domainBareFromOrThrowUnchecked(settings.componentDomain()));
        try {
            IQ answer = session.request(request, settings.joinTimeout()).get(settings.joinTimeout().toMillis() + 1000,
                    TimeUnit.MILLISECONDS);
            if (answer instanceof DiscoverInfo info && info.hasIdentity("conference", "text")) {
                return Optional.of(RemoteRoomId.of(room.toString()));
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new TransientDeliveryException("no disco#info answer from " + room, e);
        }
    }

    // ------------------------------------------------------------------ inbound (inbound thread)

    private final class Handler implements ComponentConnection.Handler {
        @Override
        public void stanzaReceived(Stanza stanza) {
            if (stanza instanceof Message m) {
                onMessage(m);
            } else if (stanza instanceof org.jivesoftware.smack.packet.Presence p) {
                onPresence(p);
            } else if (stanza instanceof IQ iq) {
                onIq(iq);
            }
        }

        @Override
        public void unparseable(StreamElement.Unparseable stanza) {
            LOG.info("unparseable {} from {}: {}", stanza.header().kind(), stanza.header().from(), stanza.reason());
            if ("groupchat".equals(stanza.header().type())) {
                return; // no error into a room: MUC services kick occupants that bounce errors (logged above)
            }
            StanzaErrors.replyToUnparseable(stanza.header(), StanzaErrors.error(StanzaError.Condition.bad_request,
                    "The bridge could not parse this stanza.")).ifPresent(xml -> session.connection().ifPresent(c -> {
                        try {
                            c.sendRaw(xml);
                        } catch (ComponentConnection.NotConnectedException e) {
                            LOG.debug("bad-request not sent");
                        }
                    }));
        }

        @Override
        public void closed(ComponentConnection connection, StreamException cause) {
        }
    }

    private final class Listener implements ComponentSession.Listener {
        @Override
        public void connected(ComponentConnection connection) {
            mucs.connected();
            syncRooms();
            gateways.connected();
        }

        @Override
        public void disconnected(String reason) {
            mucs.disconnected();
            gateways.disconnected();
        }

        @Override
        public void stateChanged(AdapterState state) {
            if (context != null && !stopped) {
                try {
                    context.stateListener().stateChanged(NETWORK, state);
                } catch (RuntimeException e) {
                    LOG.warn("state listener failed: {}", e.toString());
                }
            }
        }
    }

    void onMessage(Message m) {
        Jid from = m.getFrom();
        Jid to = m.getTo();
        if (from == null || to == null) {
            return;
        }
        if (mucs.isBridgedMuc(from.asBareJid())) {
            mucs.onMessage(m);
            return;
        }
        if (addressing.isOnComponent(from)) {
            return; // our own stanza routed back: never bridge it
        }
        if (gateways.isGatewayRoom(to)) {
            gateways.onMessage(m);
            return;
        }
        Optional<UserRef> person = addressing.person(to);
        if (person.isPresent()) {
            directs.onMessage(m, person.get());
            return;
        }
        send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.item_not_found,
                "There is no bridged user or room at this address.")));
    }

    void onPresence(org.jivesoftware.smack.packet.Presence p) {
        Jid from = p.getFrom();
        Jid to = p.getTo();
        if (from == null || to == null) {
            return;
        }
        if (mucs.isBridgedMuc(from.asBareJid())) {
            mucs.onPresence(p);
            return;
        }
        if (addressing.isOnComponent(from)) {
            return;
        }
        if (gateways.isGatewayRoom(to)) {
            gateways.onPresence(p);
            return;
        }
        Optional<UserRef> person = addressing.person(to);
        if (person.isPresent()) {
            directs.onPresence(p, person.get());
        } else if (!to.hasLocalpart() && p.getType() == org.jivesoftware.smack.packet.Presence.Type.subscribe) {
            send(Optional.of(StanzaBuilder.buildPresence().ofType(org.jivesoftware.smack.packet.Presence.Type.subscribed)
                    .from(to.asBareJid()).to(from.asBareJid()).build()));
        }
    }

    void onIq(IQ iq) {
        if (iq.getType() == IQ.Type.result || iq.getType() == IQ.Type.error) {
            return; // an answer nobody waits for any more
        }
        IQ answer;
        if (iq instanceof Ping && iq.getType() == IQ.Type.get) {
            answer = IQ.createResultIQ(iq);
        } else if (iq instanceof DiscoverInfo info && iq.getType() == IQ.Type.get) {
            answer = disco.info(info);
        } else if (iq instanceof DiscoverItems items && iq.getType() == IQ.Type.get) {
            answer = disco.items(items);
        } else if (iq instanceof org.jivesoftware.smackx.iqversion.packet.Version && iq.getType() == IQ.Type.get
                && !iq.getTo().hasLocalpart()) {
            // XEP-0092 for the component itself (announced in its disco#info); no OS, it is nobody's business.
            var version = new org.jivesoftware.smackx.iqversion.packet.Version("bridge-appliance XMPP adapter",
                    Optional.ofNullable(XmppAdapter.class.getPackage().getImplementationVersion()).orElse("dev"));
            version.setType(IQ.Type.result);
            version.setStanzaId(iq.getStanzaId());
            version.setTo(iq.getFrom());
            version.setFrom(iq.getTo());
            answer = version;
        } else if (iq instanceof VCard && iq.getType() == IQ.Type.get) {
            answer = vcard(iq);
        } else if (gateways.isGatewayRoom(iq.getTo())) {
            answer = gateways.onIq(iq);
        } else {
            // RFC 6120 §8.3.3.19: an IQ for an unsupported namespace gets service-unavailable.
            answer = IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.service_unavailable, null));
        }
        send(Optional.ofNullable(answer));
    }

    private IQ vcard(IQ request) {
        Optional<UserRef> person = addressing.person(request.getTo());
        if (person.isEmpty()) {
            return IQ.createErrorResponse(request, StanzaErrors.error(StanzaError.Condition.item_not_found, null));
        }
        VCard vcard = puppets.vcard(person.get());
        vcard.setType(IQ.Type.result);
        vcard.setStanzaId(request.getStanzaId());
        vcard.setTo(request.getFrom());
        vcard.setFrom(request.getTo().asBareJid());
        return vcard;
    }

    private void send(Optional<? extends Stanza> stanza) {
        stanza.ifPresent(s -> {
            try {
                session.send(s);
            } catch (ComponentConnection.NotConnectedException e) {
                LOG.debug("answer not sent: {}", e.getMessage());
            }
        });
    }

    /** When the newest message (tombstones included) archived for the bridged room of MUC {@code jid} was sent. */
    private Optional<java.time.Instant> newestArchived(org.jxmpp.jid.EntityBareJid jid) {
        var stores = context.stores();
        return stores.rooms().findByPortal(new Portal(NETWORK, RemoteRoomId.of(jid.toString())))
                .flatMap(room -> stores.archive().query(new ArchiveQuery(room.id(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), 1, ArchiveQuery.End.NEWEST, true))
                        .stream().findFirst())
                .map(ArchivedMessage::timestamp);
    }

    /**
     * A person's avatar was learned or changed after they were seen: a PROFILE_CHANGE in every bridged room they
     * are in (MUCs, gateway rooms); for someone seen only in 1:1 chats, their last presence again with the new
     * profile. Runs on the inbound thread.
     */
    void avatarChanged(UserRef person) {
        boolean inRooms = mucs.profileChanged(person) | gateways.profileChanged(person);
        if (!inRooms) {
            directs.profileChanged(person);
        }
    }

    /**
     * How to ask for the vCard of someone no stanza showed since the start (serving a link after a restart): a MUC
     * occupant ({@code room@service/nick}) through the room, from the bridge's listener occupant (XEP-0045 services
     * only pass IQs from occupants, and Prosody sends vcard-temp requests on to the occupant's bare JID); anyone
     * else directly from the component domain.
     */
    private Optional<XmppAvatars.Route> defaultAvatarRoute(UserRef person) {
        try {
            Jid to = JidCreate.from(person.user().value());
            if (to.hasResource()) {
                return mucs.listener(to.asBareJid().toString())
                        .or(() -> Optional.of(JidCreate.fromOrThrowUnchecked(settings.componentDomain() + "/muc-listener")))
                        .map(from -> new XmppAvatars.Route(from, to));
            }
            return Optional.of(new XmppAvatars.Route(JidCreate.domainBareFrom(settings.componentDomain()), to));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Diagnostics and tests: the MUC side. */
    public MucPortals mucs() {
        return mucs;
    }
}
