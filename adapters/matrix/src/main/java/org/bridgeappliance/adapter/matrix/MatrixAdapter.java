package org.bridgeappliance.adapter.matrix;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bridgeappliance.adapter.matrix.appservice.AppServiceEndpoint;
import org.bridgeappliance.adapter.matrix.appservice.AppServiceHandler;
import org.bridgeappliance.adapter.matrix.appservice.HsTokenAuth;
import org.bridgeappliance.adapter.matrix.appservice.TransactionProcessor;
import org.bridgeappliance.adapter.matrix.client.HttpTransport;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.bridgeappliance.adapter.matrix.client.JdkHttpTransport;
import org.bridgeappliance.adapter.matrix.convert.MatrixInboundConverter;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.id.MatrixAddressSyntax;
import org.bridgeappliance.adapter.matrix.media.MatrixAvatarSource;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.media.MediaLinks;
import org.bridgeappliance.adapter.matrix.media.MediaSource;
import org.bridgeappliance.adapter.matrix.portal.GhostManager;
import org.bridgeappliance.adapter.matrix.portal.MatrixDeliverer;
import org.bridgeappliance.adapter.matrix.portal.MatrixRoomListing;
import org.bridgeappliance.adapter.matrix.portal.MemberSync;
import org.bridgeappliance.adapter.matrix.portal.PortalManager;
import org.bridgeappliance.adapter.matrix.registration.Registration;
import org.bridgeappliance.adapter.matrix.registration.RegistrationException;
import org.bridgeappliance.adapter.matrix.registration.RegistrationFile;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.AdapterState.Status;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.PresenceSupport;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.AvatarSource;
import org.bridgeappliance.core.port.PortalMembership;
import org.bridgeappliance.core.port.RoomListing;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.Puppet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Matrix adapter: an application service (AS API) plus typed Client-Server calls. Always a bean;
 * with {@code bridge.matrix.enabled=false} its {@link #start} only reports DISABLED and the AS
 * endpoints answer 503.
 *
 * <p>Start-up ({@link #start} returns at once; the rest runs on the adapter's own thread): read and
 * check the registration (tokens that do not match the file make the adapter FAILED and
 * {@code start} throw, so the bridge never serves a registration the homeserver does not have), then
 * {@code GET /versions} until the homeserver answers, register the bot, check {@code /whoami}, and
 * ask the homeserver to ping us ({@code POST /_matrix/client/v1/appservice/{id}/ping}, spec v1.7):
 * that proves the homeserver has our registration and can reach our URL with the right hs_token.
 *
 * <p>Health: CONNECTED while Client-Server calls get answers; RECONNECTING (deliveries wait in the
 * router) when they do not, with a probe every few seconds until the homeserver answers again.
 */
@Singleton
public class MatrixAdapter implements ProtocolAdapter, PortalProvisioning, PresenceSupport, RoomListing,
        MediaSource, AppServiceEndpoint, PortalMembership, AvatarSource {
    private static final Logger LOG = LoggerFactory.getLogger(MatrixAdapter.class);
    public static final Network NETWORK = Network.of(MatrixInboundConverter.NETWORK);

    private final MatrixConfig config;
    private final Function<MatrixConfig, HttpTransport> transports;
    private final GhostIdCodec codec;
    private volatile AdapterState state = AdapterState.of(Status.STOPPED, "not started");
    private volatile AdapterContext context;
    private volatile Runtime runtime;
    private volatile boolean ready;
    private volatile MediaLinks mediaLinks;
    private volatile MatrixAvatarSource avatars;
    private final AtomicInteger probes = new AtomicInteger();
    private ScheduledExecutorService executor;

    /** The parts that exist once started. */
    private record Runtime(HttpTransport transport, MatrixClient client, AppServiceHandler handler,
                           PortalManager portals, GhostManager ghosts, MatrixDeliverer deliverer) {
    }

    /**
     * The bean: without an explicit {@code bridge.matrix.ghost-networks}, the ghost and alias namespaces are
     * the other networks the configuration declares ({@link MatrixConfig#configuredNetworks}).
     */
    @Inject
    public MatrixAdapter(MatrixConfig config, io.micronaut.context.env.Environment environment) {
        this(derived(config, environment));
    }

    private static MatrixConfig derived(MatrixConfig config, io.micronaut.core.value.PropertyResolver environment) {
        config.deriveGhostNetworks(environment);
        return config;
    }

    public MatrixAdapter(MatrixConfig config) {
        this(config, c -> new JdkHttpTransport(c.getHomeserverUrl(), c.getRequestTimeout(),
                (int) Math.min(Integer.MAX_VALUE, c.getMediaMaxBytes() + 65_536)));
    }

    /** For tests: {@code transports} builds the HTTP transport to the homeserver. */
    public MatrixAdapter(MatrixConfig config, Function<MatrixConfig, HttpTransport> transports) {
        this.config = Objects.requireNonNull(config, "config");
        this.transports = Objects.requireNonNull(transports, "transports");
        // Other networks' canonical ids come from the core (their adapters' AddressSyntax), once started.
        this.codec = new GhostIdCodec(config.getServerName(), config.getBotLocalpart(), config.getGhostNetworks(),
                network -> {
                    AdapterContext started = context;
                    return started == null ? Optional.empty() : started.addressing().syntax(network);
                });
    }

    @Override
    public Network network() {
        return NETWORK;
    }

    @Override
    public Optional<AddressSyntax> addressSyntax() {
        return Optional.of(MatrixAddressSyntax.INSTANCE);
    }

    /**
     * Checks the configuration against the registration file without starting anything, for a
     * command-line check before the appliance starts.
     *
     * @throws RegistrationException if they do not match
     */
    public static Registration verifyConfiguration(MatrixConfig config) {
        return RegistrationFile.resolve(config);
    }

    @Override
    public synchronized void start(AdapterContext context) {
        this.context = Objects.requireNonNull(context, "context");
        if (!config.isEnabled()) {
            setState(Status.DISABLED, "bridge.matrix.enabled is false");
            return;
        }
        java.util.List<String> trustedMedia;
        try {
            trustedMedia = MediaFetcher.validatePrefixes(config.getMediaTrustedUrlPrefixes());
        } catch (IllegalArgumentException e) {
            setState(Status.FAILED, e.getMessage());
            throw e;
        }
        Registration registration;
        try {
            registration = RegistrationFile.resolve(config);
        } catch (RegistrationException e) {
            setState(Status.FAILED, "registration: " + e.getMessage());
            throw e;
        }
        HttpTransport transport = transports.apply(config);
        MatrixClient client = new MatrixClient(transport, registration.asToken(),
                config.getMaxAttempts(), config.getMaxRetryWait(), d -> Thread.sleep(d.toMillis()));
        String mediaBase = config.getPublicMediaBaseUrl().isBlank() ? config.getAppserviceUrl()
                : config.getPublicMediaBaseUrl();
        MediaLinks links = new MediaLinks(mediaBase, registration.hsToken());
        MediaFetcher media = new MediaFetcher(client, config.getMediaMaxBytes(), config.getMediaFetchTimeout(),
                config.isMediaFetchPrivateHosts(), trustedMedia);
        GhostManager ghosts = new GhostManager(client, codec, context.stores().puppets(), media, context.clock());
        PortalManager portals = new PortalManager(client, codec, ghosts, () -> this.context.portals());
        executor = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "matrix-adapter");
            t.setDaemon(true);
            return t;
        });
        MatrixDeliverer deliverer = new MatrixDeliverer(client, codec, ghosts, portals, media, executor);
        InboundSupport inbound = new InboundSupport(client, codec, context.stores().messages(),
                context.stores().reactions(), links, portals,
                executor);
        MatrixInboundConverter converter = new MatrixInboundConverter(codec::isBridgeUser, codec::personOf,
                context.clock());
        // Announces the members already in rooms that become portals (and, at start-up, in every mapped room).
        MemberSync members = new MemberSync(client, codec, portals, context.stores().rooms(), context.ingress(),
                mxc -> avatarLink(links, mxc), context.clock(), System::nanoTime,
                new MemberSync.Settings(config.isMemberSyncOnStart(), config.getMemberSyncMaxMembers(),
                        config.getRoomWatchInterval()));
        members.started();
        // The deliverer watches its ghosts' member events too: the homeserver rewrites them after a global profile change.
        // A join of the bot makes a room that waited for it due for its member announcement.
        TransactionProcessor.Hooks hooks = new TransactionProcessor.Hooks() {
            @Override
            public void observe(com.fasterxml.jackson.databind.JsonNode event) {
                inbound.observe(event);
                deliverer.observe(event);
                botJoined(event).ifPresent(members::wake);
            }

            @Override
            public void submitted(org.bridgeappliance.core.model.BridgeEvent event,
                                  org.bridgeappliance.core.port.EventIngress.Acceptance acceptance) {
                inbound.submitted(event, acceptance);
            }
        };
        TransactionProcessor processor = new TransactionProcessor(context.stores().transactions(),
                context.stores().unitOfWork(), context.ingress(),
                converter, inbound, hooks);
        AppServiceHandler handler = new AppServiceHandler(
                new HsTokenAuth(registration.hsToken(), config.isAllowLegacyQueryToken()), processor,
                new Queries(codec, ghosts, portals), config.getMaxTransactionBytes());
        this.mediaLinks = links;
        this.avatars = new MatrixAvatarSource(client, links, media);
        this.runtime = new Runtime(transport, client, handler, portals, ghosts, deliverer);
        client.onReachability(this::reachability);
        setState(Status.STARTING, "connecting to " + config.getHomeserverUrl());
        executor.execute(() -> connect(client, 1));
        long probeMillis = Math.max(50, config.getHealthProbeInterval().toMillis());
        executor.scheduleWithFixedDelay(this::probe, probeMillis, probeMillis, TimeUnit.MILLISECONDS);
        long pauseMillis = Math.max(10, config.getMemberSyncPause().toMillis());
        executor.scheduleWithFixedDelay(() -> syncMembers(members), pauseMillis, pauseMillis, TimeUnit.MILLISECONDS);
    }

    /** One step of the member sync, only while the homeserver answers (it would only fail and retry otherwise). */
    private void syncMembers(MemberSync members) {
        if (runtime == null || !ready || state.status() != Status.CONNECTED) {
            return;
        }
        try {
            members.tick();
        } catch (RuntimeException e) {
            LOG.warn("member sync step failed: {}", e.toString()); // a throw would cancel the schedule
        }
    }

    /** The room of an m.room.member join of the bot, if {@code event} is one. */
    private Optional<String> botJoined(com.fasterxml.jackson.databind.JsonNode event) {
        if ("m.room.member".equals(event.path("type").asText())
                && codec.botUserId().equals(event.path("state_key").asText())
                && "join".equals(event.path("content").path("membership").asText())) {
            return Optional.of(event.path("room_id").asText()).filter(r -> !r.isEmpty());
        }
        return Optional.empty();
    }

    private static Optional<java.net.URI> avatarLink(MediaLinks links, String mxc) {
        if (!mxc.startsWith("mxc://")) {
            return Optional.empty();
        }
        try {
            MatrixClient.parseMxc(mxc);
            return Optional.of(links.link(mxc));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The signer of public media links (for the media endpoint, {@link MediaSource}), once started. */
    @Override
    public Optional<MediaLinks> mediaLinks() {
        return Optional.ofNullable(mediaLinks);
    }

    /** The client, once started (diagnostics, tests). */
    public Optional<MatrixClient> client() {
        return Optional.ofNullable(runtime).map(Runtime::client);
    }

    /** Downloads for the media endpoint ({@link MediaSource}), through the client, once started. */
    @Override
    public Optional<MediaSource.Downloads> downloads() {
        return client().map(c -> c::openDownload);
    }

    /** The AS endpoints' handler ({@link AppServiceEndpoint}); empty while disabled, not started, failed or stopped. */
    @Override
    public Optional<AppServiceHandler> appService() {
        Runtime r = runtime;
        Status s = state.status();
        if (r == null || s == Status.FAILED || s == Status.STOPPED || s == Status.DISABLED) {
            return Optional.empty();
        }
        return Optional.of(r.handler());
    }

    private void connect(MatrixClient client, int attempt) {
        if (runtime == null) {
            return;
        }
        try {
            client.versions();
            client.register(config.getBotLocalpart());
            String whoami = client.whoami(null);
            if (!whoami.equals(codec.botUserId())) {
                setState(Status.FAILED, "the as_token acts as " + whoami + ", not " + codec.botUserId());
                return;
            }
            try {
                client.setDisplayName(codec.botUserId(), config.getBotDisplayName());
            } catch (MatrixHttpException e) {
                LOG.info("could not set the bot's display name: {}", e.getMessage());
            }
        } catch (MatrixHttpException e) {
            if (e.status() == 401 || "M_UNKNOWN_TOKEN".equals(e.errcode()) || "M_FORBIDDEN".equals(e.errcode())) {
                setState(Status.FAILED, "the homeserver refuses the as_token (is the registration in"
                        + " app_service_config_files, and the homeserver restarted?): " + e.getMessage());
                return;
            }
            long delay = Math.min(30_000, 1000L << Math.min(attempt, 5));
            setState(attempt == 1 ? Status.STARTING : Status.RECONNECTING,
                    "homeserver not reachable (" + e.getMessage() + "); retrying");
            scheduleSafely(() -> connect(client, attempt + 1), delay);
            return;
        }
        ready = true;
        setState(Status.CONNECTED, "connected to " + config.getHomeserverUrl() + " as " + codec.botUserId());
        ping(client, 1);
    }

    /**
     * Asks the homeserver to ping our AS endpoint. The appliance's HTTP server may still be starting,
     * so connection failures are retried for a while; a wrong hs_token is a configuration error.
     */
    private void ping(MatrixClient client, int attempt) {
        if (runtime == null) {
            return;
        }
        try {
            Duration rtt = client.ping(config.getAppserviceId(), "ping-" + UUID.randomUUID());
            LOG.info("homeserver reached the appliance's AS endpoint in {} ms", rtt.toMillis());
            if (state.status() == Status.CONNECTED) {
                setState(Status.CONNECTED, "connected to " + config.getHomeserverUrl() + "; AS ping "
                        + rtt.toMillis() + " ms");
            }
        } catch (MatrixHttpException e) {
            if ("M_UNRECOGNIZED".equals(e.errcode())) {
                LOG.info("homeserver does not support the AS ping (spec v1.7); skipped");
                return;
            }
            if ("M_BAD_STATUS".equals(e.errcode()) || "M_FORBIDDEN".equals(e.errcode())) {
                setState(Status.FAILED, "the homeserver's call to our AS endpoint failed (wrong hs_token or url in"
                        + " its registration?): " + e.getMessage());
                return;
            }
            if (attempt < 30) {
                scheduleSafely(() -> ping(client, attempt + 1), 2000);
            } else if (state.status() == Status.CONNECTED) {
                setState(Status.CONNECTED, "connected, but the homeserver cannot reach " + config.getAppserviceUrl()
                        + " (events from Matrix will not arrive): " + e.getMessage());
            }
        }
    }

    private void scheduleSafely(Runnable task, long delayMillis) {
        try {
            executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("adapter stopping; not rescheduling");
        }
    }

    /** While RECONNECTING, polls the homeserver so that the state recovers without traffic. */
    private void probe() {
        Runtime r = runtime;
        if (r == null || !ready || state.status() != Status.RECONNECTING) {
            return;
        }
        probes.incrementAndGet();
        try {
            r.client().whoami(null); // authenticated: also notices when the as_token is accepted again
        } catch (RuntimeException e) {
            LOG.debug("homeserver still unreachable: {}", e.getMessage());
        }
    }

    private void reachability(boolean reachable) {
        if (!ready) {
            return;
        }
        Status s = state.status();
        if (!reachable && s == Status.CONNECTED) {
            setState(Status.RECONNECTING, "homeserver " + config.getHomeserverUrl()
                    + " not answering or refusing the as_token");
        } else if (reachable && s == Status.RECONNECTING) {
            setState(Status.CONNECTED, "connected to " + config.getHomeserverUrl() + " as " + codec.botUserId());
        }
    }

    private synchronized void setState(Status status, String detail) {
        AdapterState next = AdapterState.of(status, detail);
        AdapterState previous = state;
        state = next;
        if (previous.status() != status) {
            LOG.info("matrix adapter {}: {}", status, detail);
        }
        AdapterContext ctx = context;
        if (ctx != null) {
            try {
                ctx.stateListener().stateChanged(NETWORK, next);
            } catch (RuntimeException e) {
                LOG.warn("state listener failed", e);
            }
        }
    }

    @Override
    public synchronized void stop() {
        Runtime r = runtime;
        runtime = null;
        ready = false;
        if (executor != null) {
            executor.shutdownNow();
        }
        if (r != null) {
            r.transport().close();
        }
        if (state.status() != Status.DISABLED) {
            setState(Status.STOPPED, "stopped");
        }
    }

    @Override
    public AdapterState state() {
        return state;
    }

    /**
     * Matrix rooms carry everything. A whole event is at most 65,536 bytes (CS API "Size limits")
     * and carries the body twice (plain and HTML, plus a reply fallback): longer bodies are split.
     */
    static final RoomCapabilities CAPABILITIES = new RoomCapabilities(true, true, true, true, true, true, true,
            true, 24_000);

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return CAPABILITIES;
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return codec.isBridgeUser(user.value());
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        return running().deliverer().deliver(delivery);
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        Runtime r = runtime;
        if (r == null) {
            LOG.warn("cannot report a delivery failure while stopped: {}", failure.reason());
            return;
        }
        r.deliverer().reportFailure(failure);
    }

    @Override
    public void deliverPresence(PresenceEvent presence) {
        running().deliverer().presence(presence);
    }

    @Override
    public RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser) {
        Runtime r = running();
        Profile profile = context.stores().puppets().find(person, NETWORK).map(Puppet::profile)
                .orElse(Profile.EMPTY);
        try {
            return r.portals().createDirectChat(person, profile, localUser.value());
        } catch (MatrixHttpException e) {
            throw new TransientDeliveryException(e.getMessage(), e, e.retryAfter().orElse(null));
        }
    }

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        Runtime r = runtime;
        if (r == null) {
            return Optional.empty();
        }
        try {
            return r.portals().resolveRoom(address);
        } catch (MatrixHttpException e) {
            LOG.info("could not resolve {}: {}", address, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public List<ListedRoom> listRooms(String query, int limit) {
        Runtime r = runtime;
        if (r == null || state.status() != Status.CONNECTED) {
            throw new RoomListingException("the Matrix adapter is not connected: " + state.detail());
        }
        return new MatrixRoomListing(r.client(), codec.botUserId()).list(query, limit);
    }

    /** True when this run has seen the bot in the room; unknown otherwise (the cache starts empty at each start). */
    @Override
    public Optional<Boolean> bridgeJoined(RemoteRoomId room) {
        Runtime r = runtime;
        return r != null && r.portals().botKnownJoined(room.value()) ? Optional.of(true) : Optional.empty();
    }

    /** Avatars for the admin UI: see {@link MatrixAvatarSource}; empty before the start. */
    @Override
    public Optional<Image> fetchAvatar(java.net.URI uri) throws java.io.IOException {
        MatrixAvatarSource a = avatars;
        return a == null ? Optional.empty() : a.fetchAvatar(uri);
    }

    /** The id codec (ghost MXIDs, aliases), available before start. */
    public GhostIdCodec codec() {
        return codec;
    }

    private Runtime running() {
        Runtime r = runtime;
        if (r == null) {
            throw new TransientDeliveryException("the Matrix adapter is not running", null);
        }
        return r;
    }

    /** AS user and alias queries. */
    private static final class Queries implements AppServiceHandler.Queries {
        private final GhostIdCodec codec;
        private final GhostManager ghosts;
        private final PortalManager portals;

        Queries(GhostIdCodec codec, GhostManager ghosts, PortalManager portals) {
            this.codec = codec;
            this.ghosts = ghosts;
            this.portals = portals;
        }

        @Override
        public boolean provisionUser(String userId) {
            return ghostPerson(userId).map(person -> {
                ghosts.ensure(person, Profile.EMPTY);
                return true;
            }).orElse(false);
        }

        private Optional<UserRef> ghostPerson(String userId) {
            return codec.personOf(userId);
        }

        @Override
        public boolean provisionAlias(String alias) {
            return portals.createGatewayRoom(alias);
        }

        @Override
        public void pinged(String transactionId) {
            LOG.debug("AS ping {} from the homeserver", transactionId);
        }
    }
}
