package org.bridgeappliance.adapter.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.bridgeappliance.adapter.xmpp.address.ComponentDomain;
import org.bridgeappliance.adapter.xmpp.address.DirectChatIds;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.address.GuestNetworks;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarLinks;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.Backoff;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnectionConfig;
import org.bridgeappliance.adapter.xmpp.component.ComponentSession;
import org.bridgeappliance.adapter.xmpp.component.ComponentStreams;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.adapter.xmpp.component.StreamException;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.direct.DirectChats;
import org.bridgeappliance.adapter.xmpp.disco.DiscoResponder;
import org.bridgeappliance.adapter.xmpp.disco.MucRoomListing;
import org.bridgeappliance.adapter.xmpp.disco.MucRoomResolver;
import org.bridgeappliance.adapter.xmpp.dispatch.StanzaDispatcher;
import org.bridgeappliance.adapter.xmpp.errors.FailureReports;
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
import org.jivesoftware.smack.packet.Stanza;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XMPP adapter: external components (XEP-0114), one per foreign network ({@link XmppComponent},
 * {@link ComponentStreams}), on which other networks' people appear as puppets, bridging existing MUCs
 * ({@link MucPortals}), 1:1 chats ({@link DirectChats}) and gateway rooms the components serve themselves
 * ({@link GatewayRooms}). Plain Java: {@link XmppAdapterBean} only wires it into Micronaut.
 *
 * <p>Threading: {@link #start}/{@link #stop} on the appliance's lifecycle thread; stanzas are handled on one
 * inbound thread shared by every component stream, in stream order ({@link StanzaDispatcher}); {@link #deliver}
 * on the router's room threads; {@link #deliverPresence} on the router's presence pool.
 */
public final class XmppAdapter implements ProtocolAdapter, PortalProvisioning, PresenceSupport, RoomListing {
    private static final Logger LOG = LoggerFactory.getLogger(XmppAdapter.class);
    public static final Network NETWORK = Network.of("xmpp");
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    static final Duration ROOM_SYNC_INTERVAL = Duration.ofSeconds(10);

    private final XmppSettings settings;
    private final DoubleSupplier random;
    private volatile PuppetAddressing addressing;
    private volatile AdapterState fixedState;
    private AdapterContext context;
    private volatile ComponentStreams streams;
    private volatile List<XmppComponent> components;
    private volatile String configurationProblem = "";
    private volatile FailureReports failures;
    private volatile MucRoomResolver resolver;
    private volatile GuestNetworks guests;
    private ScheduledExecutorService scheduler;
    private PuppetDirectory puppets;
    private MucPortals mucs;
    private DirectChats directs;
    private GatewayRooms gateways;
    private boolean stopped;
    private volatile List<String> avatarTrustedUrlPrefixes = List.of();
    private volatile String publicBaseUrl = "";
    private volatile List<String> mucServices;
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

    /**
     * {@code bridge.xmpp.components}: the component of each foreign network (one stream each). Null or not called:
     * the single {@code component-domain} with {@code secret}, as {@link ComponentDomain#legacy}. The first is
     * the default domain, where people of networks without a component of their own live. Call before
     * {@link #start}; a duplicate domain or network makes start report FAILED.
     */
    public void setComponents(List<XmppComponent> components) {
        this.components = components == null || components.isEmpty() ? null : List.copyOf(components);
    }

    /** A configuration error found before start (a malformed {@code components} entry): start reports FAILED. */
    public void setConfigurationProblem(String problem) {
        this.configurationProblem = problem == null ? "" : problem.strip() + "; ";
    }

    /** The components the adapter connects (the configured list, else the legacy single one). */
    public List<XmppComponent> components() {
        List<XmppComponent> configured = components;
        return configured != null ? configured
                : List.of(new XmppComponent(ComponentDomain.legacy(settings.componentDomain()), settings.secret(), null));
    }

    @Override
    public synchronized void start(AdapterContext context) {
        this.context = Objects.requireNonNull(context, "context");
        if (!settings.enabled()) {
            report(AdapterState.of(AdapterState.Status.DISABLED, "bridge.xmpp.enabled is false"));
            return;
        }
        List<XmppComponent> comps = components();
        String problems = settings.problems() + configurationProblem + XmppComponent.problems(comps, settings.serverDomain())
                + PuppetDirectory.prefixProblems(avatarTrustedUrlPrefixes) + AvatarLinks.problems(publicBaseUrl);
        for (XmppComponent c : comps) {
            problems += MucServices.problems(mucServices(), c.domain());
        }
        if (!problems.isEmpty()) {
            report(AdapterState.of(AdapterState.Status.FAILED, "configuration: " + problems.strip()));
            return;
        }
        addressing = new PuppetAddressing(comps.stream().map(XmppComponent::address).toList());
        guests = new GuestNetworks(addressing);
        GatewayAddressing gatewayAddressing = new GatewayAddressing(addressing.domains());
        LOG.info("XMPP components: {}; people of other networks live on {}", comps.stream()
                .map(c -> c.network() + " on " + c.domain()).toList(), addressing.componentDomain());
        XmppExtensions.register();
        fixedState = null;
        scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "xmpp-scheduler");
            t.setDaemon(true);
            return t;
        });
        Map<String, XmppComponent> byDomain = new LinkedHashMap<>();
        comps.forEach(c -> byDomain.put(c.domain(), c));
        var dispatching = new DeferredHandler();
        streams = new ComponentStreams(List.copyOf(byDomain.keySet()), (domain, inbound) -> {
            XmppComponent c = byDomain.get(domain);
            var config = new ComponentConnectionConfig(settings.host(), settings.port(), domain, c.secret(),
                    settings.maxStanzaBytes(), Duration.ofSeconds(10), Duration.ofSeconds(10), 10_000);
            return new ComponentSession(config, new Backoff(settings.reconnectMin(), settings.reconnectMax(), random),
                    settings.pingInterval(), settings.pingTimeout(), settings.serverDomain(), dispatching,
                    new Listener(domain), inbound);
        });
        var ingress = new XmppIngress(context.ingress(), context.stores());
        var inbound = new XmppInboundConverter();
        var outbound = new XmppOutboundConverter();
        puppets = new PuppetDirectory(addressing, context.stores().puppets(), NETWORK, context.clock(),
                avatarTrustedUrlPrefixes, limits);
        provisioner = new org.bridgeappliance.adapter.xmpp.provision.Provisioner(limits, streams::runInbound,
                context.clock());
        Optional<AvatarLinks> links = Optional.of(publicBaseUrl).filter(u -> !u.isBlank())
                .map(u -> new AvatarLinks(u, settings.secret()));
        if (links.isEmpty()) {
            LOG.info("bridge.xmpp.public-base-url is empty: XMPP users' avatars are not published to other networks");
        }
        avatars = new XmppAvatars(links, streams, context.clock(), XmppAvatars.NEGATIVE_TTL, XmppAvatars.FETCH_TIMEOUT,
                XmppAvatars.CACHE_BYTES, this::defaultAvatarRoute, NETWORK.value());
        MucServices allowedMucServices = new MucServices(mucServices());
        LOG.info("MUC services whose rooms may be bridged: {}", allowedMucServices.domains());
        mucs = new MucPortals(settings, streams, puppets, inbound, outbound, ingress, context.stores().reactions(),
                context.stores().messages(), context.stores().aliases(), NETWORK, context.clock(), scheduler, avatars,
                allowedMucServices, limits, context.copies());
        mucs.resumeFrom(this::newestArchived);
        directs = new DirectChats(streams, puppets, inbound, outbound, ingress, context.stores(), context.portals(),
                NETWORK, context.clock(), avatars, limits, provisioner);
        gateways = new GatewayRooms(settings, streams, puppets, gatewayAddressing, inbound, outbound, ingress,
                context.stores(), context.portals(), NETWORK, context.clock(), avatars, limits, provisioner);
        failures = new FailureReports(streams, addressing);
        resolver = new MucRoomResolver(streams, addressing, allowedMucServices, settings.joinTimeout());
        // Learned asynchronously: the update goes out on the inbound thread, in order with the stanzas.
        avatars.setListener((person, link) -> {
            try {
                streams.runInbound(() -> avatarChanged(person));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("avatar update of {} dropped: stopping", person.user());
            }
        });
        var disco = new DiscoResponder(comps.stream().map(c -> new DiscoResponder.Component(c.address(), c.name()))
                .toList(), addressing, gatewayAddressing, settings.gatewayEnabled(), gateways::roomJids);
        dispatching.target = new StanzaDispatcher(streams, puppets, mucs, gateways, directs, disco);
        long selfPing = settings.selfPingInterval().toMillis();
        scheduler.scheduleWithFixedDelay(guard(mucs::selfPing), selfPing, selfPing, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guard(this::syncRooms), ROOM_SYNC_INTERVAL.toMillis(),
                ROOM_SYNC_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        streams.start();
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
        if (streams == null || !streams.isConnected()) {
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
        if (streams != null) {
            // Goodbyes first (queued before the stream close): rooms must not keep ghosts of our puppets.
            mucs.leaveAll();
            gateways.leaveAll();
            streams.stop(STOP_GRACE);
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
        if (fixed != null || streams == null) {
            return fixed != null ? fixed : AdapterState.of(AdapterState.Status.STARTING, "not started");
        }
        AdapterState s = streams.state();
        GuestNetworks g = guests;
        String note = g == null ? "" : g.detail();
        return note.isEmpty() ? s : AdapterState.of(s.status(), s.detail() + note);
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
            PuppetAddressing a = addressing;
            return a != null ? a.isOnComponent(jid) : components().stream()
                    .anyMatch(c -> c.domain().equals(jid.getDomain().toString()));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        if (streams == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        guests.note(delivery.event().sender().network());
        String domain = addressing.domainFor(delivery.event().sender().network()).domain();
        if (!domain.equals(addressing.componentDomain()) && !streams.isConnected(domain)) {
            // The default stream's features check it themselves; another network's puppets need their own stream.
            throw new TransientDeliveryException("XMPP component " + domain + " not connected", null);
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
        FailureReports f = failures;
        if (f == null) {
            LOG.warn("could not report a failed delivery to its XMPP author: adapter not started");
            return;
        }
        f.report(failure);
    }

    @Override
    public void deliverPresence(PresenceEvent presence) {
        if (streams == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        guests.note(presence.sender().network());
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
        guests.note(person.network());
        return directs.ensure(person, localUser);
    }

    @Override
    public List<ListedRoom> listRooms(String query, int limit) {
        ComponentStreams s = streams;
        if (s == null || !s.isConnected()) {
            throw new RoomListingException("the XMPP adapter is not connected: " + state().detail());
        }
        return new MucRoomListing(s, settings.mucDomain(), addressing.componentDomain(), settings.joinTimeout())
                .list(query, limit);
    }

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        MucRoomResolver r = resolver;
        if (r == null) {
            throw new TransientDeliveryException("XMPP adapter not started", null);
        }
        return r.resolve(address);
    }

    // ------------------------------------------------------------------ stream events (inbound thread)

    /** The dispatcher, once built: the sessions exist before it does (it needs the features, they the sender). */
    private static final class DeferredHandler implements ComponentConnection.Handler {
        volatile StanzaDispatcher target;

        @Override
        public void stanzaReceived(Stanza stanza) {
            target.stanzaReceived(stanza);
        }

        @Override
        public void unparseable(StreamElement.Unparseable stanza) {
            target.unparseable(stanza);
        }

        @Override
        public void closed(ComponentConnection connection, StreamException cause) {
        }
    }

    /** One component stream's events. The default stream's also drive the MUC side (its listener occupants). */
    private final class Listener implements ComponentSession.Listener {
        private final String domain;

        Listener(String domain) {
            this.domain = domain;
        }

        private boolean isDefault() {
            return domain.equals(addressing.componentDomain());
        }

        @Override
        public void connected(ComponentConnection connection) {
            if (isDefault()) {
                mucs.connected();
                syncRooms();
            }
            gateways.connected(domain);
        }

        @Override
        public void disconnected(String reason) {
            if (isDefault()) {
                mucs.disconnected();
            }
            gateways.disconnected(domain);
        }

        @Override
        public void stateChanged(AdapterState state) {
            ComponentStreams s = streams;
            if (context != null && !stopped && s != null) {
                try {
                    context.stateListener().stateChanged(NETWORK, state());
                } catch (RuntimeException e) {
                    LOG.warn("state listener failed: {}", e.toString());
                }
            }
        }
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
                        .or(() -> Optional.of(JidCreate.fromOrThrowUnchecked(addressing.componentDomain() + "/muc-listener")))
                        .map(from -> new XmppAvatars.Route(from, to));
            }
            return Optional.of(new XmppAvatars.Route(JidCreate.domainBareFrom(addressing.componentDomain()), to));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Diagnostics and tests: the MUC side. */
    public MucPortals mucs() {
        return mucs;
    }
}
