package org.bridgeappliance.adapter.sip;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bridgeappliance.adapter.sip.address.DirectChatId;
import org.bridgeappliance.adapter.sip.address.SipAddressRules;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.adapter.sip.convert.SipOutboundConverter;
import org.bridgeappliance.adapter.sip.offline.OfflineQueue;
import org.bridgeappliance.adapter.sip.offline.SipStore;
import org.bridgeappliance.adapter.sip.outbound.PhoneSender;
import org.bridgeappliance.adapter.sip.presence.PhoneWatchList;
import org.bridgeappliance.adapter.sip.presence.PhoneWatcher;
import org.bridgeappliance.adapter.sip.presence.PresenceServer;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions;
import org.bridgeappliance.adapter.sip.room.RoomNames;
import org.bridgeappliance.adapter.sip.room.SipPortalMembership;
import org.bridgeappliance.adapter.sip.stack.SipEndpoint;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.PortalMembership;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.PersonAliases;
import org.bridgeappliance.core.port.PortalAliases;
import org.bridgeappliance.core.port.PortalReactions;
import org.bridgeappliance.core.port.PortalMembers;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.PresenceSupport;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgedRoom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP adapter: the bridge as a SIP application server behind the site's proxy (DESIGN.md). Phones write
 * pager-mode MESSAGEs (RFC 3428) to puppet URIs (1:1 chats) and room URIs (rooms after Kamailio {@code imc});
 * the bridge sends them MESSAGEs through the proxy.
 *
 * <p>Threads: Jain-SIP's threads only dispatch ({@link SipEndpoint}); inbound requests run on this adapter's
 * bounded worker pool ({@code worker-threads}, {@code worker-queue}; 503 when full); {@link #deliver} runs on
 * the router's pipeline threads and blocks until the phones answered (bounded by {@code request-timeout});
 * room fan-out of a phone's own message, command answers and offline-queue flushes run on a small background
 * pool, the periodic retry on a scheduler.
 */
@Singleton
public class SipAdapter implements ProtocolAdapter, PortalProvisioning, PresenceSupport,
        PortalMembers, PortalAliases, PersonAliases, PortalReactions, PortalMembership {
    /** This adapter's network name. */
    public static final Network NETWORK = Network.of("sip");
    private static final Logger LOG = LoggerFactory.getLogger(SipAdapter.class);
    /** No room on a phone carries more than plain text; the adapter itself splits at {@code part-bytes}. */
    private static final RoomCapabilities CAPABILITIES = new RoomCapabilities(false, false, false, false, false,
            false, false, false, 60_000);
    /**
     * A room whose reactions an admin switched off: "reactions supported", so the router hands the reaction itself
     * (not its text notice), which {@link #deliver} does not send (phones have no reactions).
     */
    private static final RoomCapabilities REACTIONS_OFF = new RoomCapabilities(false, false, false, true, false,
            false, false, false, 60_000);
    /** A 1:1 chat with a phone that sent is-composing: typing notifications go to it too. */
    private static final RoomCapabilities TYPING = new RoomCapabilities(false, false, false, false, false,
            false, true, false, 60_000);
    /** Presence: expiry sweep and state-detail refresh; phone-watch SUBSCRIBEs due; reconciling with the stores. */
    private static final long PRESENCE_SWEEP_MS = 2_000;
    private static final long WATCH_TICK_MS = 1_000;
    private static final long WATCH_RECONCILE_MS = 5_000;

    private final SipSettings settings;
    private final SipStore store;
    /** The per-room reactions switch, read through ({@link #capabilities} is asked for every delivery). */
    private final Map<String, Boolean> reactionsShown = new java.util.concurrent.ConcurrentHashMap<>();
    private final SipAddressSyntax syntax;
    private final SipAddressRules rules;
    private final AtomicReference<AdapterState> state = new AtomicReference<>(
            AdapterState.of(AdapterState.Status.STARTING, "not started"));
    private AdapterContext context;
    private SipEndpoint endpoint;
    private PhoneSender sender;
    private OfflineQueue offline;
    /** Inbound work, striped by sender: one single-thread executor per stripe keeps each phone's order. */
    private List<ThreadPoolExecutor> workers = List.of();
    private ExecutorService background;
    private ScheduledExecutorService scheduler;
    private InboundHandler inbound;
    /** The presence server of the bridge's domains (SUBSCRIBE/PUBLISH; presence/). */
    private volatile PresenceServer presence;
    /** Subscriptions at the proxy to phones' presence (presence/); null when {@code bridge.sip.presence.watch} is off. */
    private volatile PhoneWatcher watcher;
    private SipPresenceConfig presenceConfig = new SipPresenceConfig();
    /** When the watch list was last reconciled (scheduler thread only). */
    private long lastReconcile = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(WATCH_RECONCILE_MS);
    /** {@code [Name]}s unique per room, shared by the fan-out of every network's messages (also the phones'). */
    private final RoomNames names = new RoomNames(10_000, 1_000);

    /**
     * The Micronaut bean: always present (deploy/CONVENTIONS.md), DISABLED unless {@code bridge.sip.enabled}. Its
     * durable state ({@link SipStore}) is provided by the appliance (JDBC, mapping migration V8).
     */
    @Inject
    public SipAdapter(SipConfig config, SipStore store) {
        this(config.toSettings(), store);
    }

    /** {@code bridge.sip.presence.*} (method injection keeps the constructors as they are). */
    @Inject
    public void setPresenceConfig(SipPresenceConfig presenceConfig) {
        this.presenceConfig = presenceConfig;
    }

    public SipAdapter(SipSettings settings, SipStore store) {
        this.settings = settings;
        this.store = store;
        this.syntax = new SipAddressSyntax(settings.domain(), settings.networks());
        this.rules = new SipAddressRules(syntax);
    }

    /** The address rules (for the admin's slug validation and for tests). */
    public SipAddressSyntax syntax() {
        return syntax;
    }

    /**
     * Room portals {@code sip:<slug>@rooms.D} and SIP people's addresses of record ({@link SipAddressRules});
     * needs no connection, so it also serves a disabled adapter.
     */
    @Override
    public Optional<AddressSyntax> addressSyntax() {
        return Optional.of(rules);
    }

    @Override
    public Network network() {
        return NETWORK;
    }

    @Override
    public synchronized void start(AdapterContext ctx) {
        this.context = ctx;
        if (!settings.enabled()) {
            report(AdapterState.Status.DISABLED, "bridge.sip.enabled is false");
            return;
        }
        PresenceSubscriptions.Limits presenceLimits;
        try {
            presenceLimits = presenceConfig.limits();
        } catch (IllegalArgumentException e) {
            report(AdapterState.Status.FAILED, "bridge.sip.presence: " + e.getMessage());
            return;
        }
        report(AdapterState.Status.STARTING, "binding " + settings.listenHost() + ":" + settings.listenPort());
        AtomicInteger n = new AtomicInteger();
        List<ThreadPoolExecutor> stripes = new ArrayList<>();
        for (int i = 0; i < settings.workerThreads(); i++) {
            stripes.add(new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(
                    Math.max(1, settings.workerQueue() / settings.workerThreads())),
                    r -> daemon(r, "sip-in-" + n.incrementAndGet())));
        }
        workers = List.copyOf(stripes);
        background = Executors.newFixedThreadPool(4, r -> daemon(r, "sip-out-" + n.incrementAndGet()));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sip-retry"));
        endpoint = new SipEndpoint(Set.copyOf(settings.trustedAddresses()), (st, req, remote) -> {
            if (PresenceServer.handles(req)) {
                presence.handle(st, req);
            } else if (PhoneWatcher.handles(req) && watcher != null) {
                watcher.handle(st, req);
            } else {
                inbound.handle(st, req, remote);
            }
        }, (key, task) -> workers.get(Math.floorMod(key.hashCode(), workers.size())).execute(task));
        sender = new PhoneSender(endpoint, settings.udpMaxBytes(), settings.requestTimeout());
        offline = new OfflineQueue(store, sender, ctx.clock(), settings.offlineTtl(), ctx.outcomes());
        inbound = new InboundHandler(settings, syntax, endpoint, store, offline, sender, background, ctx);
        presence = new PresenceServer(syntax, endpoint, ctx.presence(), ctx.stores().puppets(), NETWORK, ctx.clock(),
                presenceLimits, settings.udpMaxBytes());
        if (presenceConfig.isWatch()) {
            PhoneWatchList.Settings d = PhoneWatchList.Settings.defaults();
            Duration exp = presenceConfig.getWatchExpires();
            watcher = new PhoneWatcher(syntax, endpoint, new PhoneWatchList(ctx.clock(), new PhoneWatchList.Settings(
                    exp, d.refreshMargin(), d.initialBackoff(), d.maxBackoff(), d.responseTimeout(), d.maxWatched())),
                    "sip:" + presenceConfig.getServiceUser() + "@" + settings.domain(), NETWORK, settings.networks(),
                    ctx.ingress(), ctx.stores(), store, ctx.clock(), settings.requestTimeout());
        }
        inbound.useNames(names);
        try {
            // The stack reads requests up to 4x the body limit, so an oversized MESSAGE is answered 413, not cut off.
            endpoint.start(settings.listenHost(), settings.listenPort(), settings.proxyHop(), settings.udpMaxBytes(),
                    Math.max(65_536, settings.maxBodyBytes() * 4 + 8192) + 65_536);
        } catch (Exception e) {
            report(AdapterState.Status.FAILED, "cannot listen on " + settings.listenHost() + ":"
                    + settings.listenPort() + ": " + e.getMessage());
            shutdownExecutors();
            return;
        }
        long retry = settings.offlineRetry().toMillis();
        scheduler.scheduleWithFixedDelay(this::retryOffline, retry, retry, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::presenceSweep, PRESENCE_SWEEP_MS, PRESENCE_SWEEP_MS,
                TimeUnit.MILLISECONDS);
        if (watcher != null) {
            scheduler.scheduleWithFixedDelay(this::watchPhones, 0, WATCH_TICK_MS, TimeUnit.MILLISECONDS);
            long probe = presenceConfig.getWatchProbeInterval().toMillis();
            if (probe > 0) {
                scheduler.scheduleWithFixedDelay(this::probePresenceServer, probe, probe, TimeUnit.MILLISECONDS);
            }
        }
        report(AdapterState.Status.CONNECTED, "listening on " + settings.listenHost() + ":" + settings.listenPort()
                + " udp+tcp for " + settings.domain() + "; proxy " + settings.proxyHop());
    }

    private void retryOffline() {
        try {
            offline.retryAll();
        } catch (RuntimeException e) {
            LOG.warn("SIP offline retry failed: {}", e.toString());
        }
    }

    /** Ends expired presence subscriptions and keeps the subscription counts in the state's detail. */
    private void presenceSweep() {
        PresenceServer presence = this.presence;
        PhoneWatcher watcher = this.watcher;
        if (presence == null) {
            return; // stopping: stop() ended the subscriptions
        }
        try {
            presence.sweep();
            AdapterState s = state.get();
            if (s.status() == AdapterState.Status.CONNECTED) {
                String base = s.detail().replaceFirst("; presence: .*$", "");
                String detail = base + "; " + presence.summary() + (watcher == null ? "" : "; " + watcher.summary());
                if (!detail.equals(s.detail())) {
                    AdapterState next = new AdapterState(s.status(), detail, s.since());
                    if (state.compareAndSet(s, next) && context != null) {
                        context.stateListener().stateChanged(NETWORK, next);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("SIP presence sweep failed: {}", e.toString());
        }
    }

    /** Keeps the phones watched in line with rooms, direct chats and links, and sends the SUBSCRIBEs due. */
    private void watchPhones() {
        PhoneWatcher watcher = this.watcher;
        if (watcher == null) {
            return; // stopping
        }
        try {
            long now = System.nanoTime();
            if (now - lastReconcile >= TimeUnit.MILLISECONDS.toNanos(WATCH_RECONCILE_MS)) {
                lastReconcile = now;
                watcher.reconcile();
            }
            watcher.tick();
        } catch (RuntimeException e) {
            LOG.warn("SIP presence watch failed: {}", e.toString());
        }
    }

    /** The presence keepalive: one live subscription refreshed; a 481 resubscribes everything (PhoneWatchList). */
    private void probePresenceServer() {
        PhoneWatcher watcher = this.watcher;
        if (watcher == null) {
            return; // stopping
        }
        try {
            watcher.probe();
        } catch (RuntimeException e) {
            LOG.warn("SIP presence probe failed: {}", e.toString());
        }
    }

    /** Shows an XMPP or Matrix person's presence to the phones watching their puppet (router presence thread). */
    @Override
    public void deliverPresence(PresenceEvent event) {
        PresenceServer p = presence;
        if (p != null) {
            p.onPresence(event);
        }
    }

    /** The phone watcher (for tests); null before start, when disabled or with {@code presence.watch} off. */
    public PhoneWatcher phoneWatcher() {
        return watcher;
    }

    /** The presence server (for tests and the admin's counts); null before start or when disabled. */
    public PresenceServer presenceServer() {
        return presence;
    }

    @Override
    public synchronized void stop() {
        if (watcher != null && endpoint != null) {
            watcher.stop();
        }
        watcher = null;
        if (presence != null && endpoint != null) {
            presence.terminateAll(Duration.ofSeconds(2));
        }
        presence = null;
        if (endpoint != null) {
            endpoint.stop();
            endpoint = null;
        }
        shutdownExecutors();
        if (state.get().status() != AdapterState.Status.DISABLED) {
            report(AdapterState.Status.STOPPED, "stopped");
        }
    }

    private void shutdownExecutors() {
        List<ExecutorService> all = new ArrayList<>(workers);
        all.add(scheduler);
        all.add(background);
        for (ExecutorService e : all) {
            if (e != null) {
                e.shutdownNow();
            }
        }
        workers = List.of();
    }

    /** True if MESSAGEs to {@code phone} are CPIM-wrapped now (it sent CPIM and never answered 415 to it). */
    public synchronized boolean sendsCpimTo(String phone) {
        return sender != null && sender.sendsCpimTo(phone);
    }

    // ------------------------------------------------------------------ admin-managed room members (PortalMembers)

    @Override
    public List<String> members(RemoteRoomId room) {
        return store.members(slugOf(room)).stream().sorted().toList();
    }

    /** Adds a phone to a room portal and tells it (a notice From the room URI, queued if the phone is offline). */
    @Override
    public Optional<String> addMember(RemoteRoomId room, RemoteUserId user) {
        String slug = slugOf(room);
        String person = personOf(user);
        if (!store.addMember(slug, person)) {
            return Optional.empty();
        }
        LOG.info("SIP: {} added to room {} by an admin", person, slug);
        String roomUri = syntax.roomUri(slug);
        PhoneSender s;
        synchronized (this) {
            s = sender;
        }
        if (s != null && context != null) {
            String name = context.stores().rooms().findByPortal(new Portal(NETWORK, RemoteRoomId.of(roomUri)))
                    .map(BridgedRoom::name).orElse(slug);
            background.execute(() -> sendOrQueue(s, offline, background, settings, person, roomUri, name,
                    "*** An admin added you to " + name + ". Write here to talk to the room; #help lists the commands.",
                    "bridge"));
        }
        return Optional.of(person);
    }

    @Override
    public boolean removeMember(RemoteRoomId room, RemoteUserId user) {
        String slug = slugOf(room);
        boolean removed = store.removeMember(slug, personOf(user));
        if (removed) {
            LOG.info("SIP: {} removed from room {} by an admin", personOf(user), slug);
        }
        return removed;
    }

    // ------------------------------------------------------------------ numeric room aliases (PortalAliases)

    /** A room alias: 2 to 15 digits (what a keypad dials; the sandbox's Kamailio routes 8000-8999). */
    private static final java.util.regex.Pattern ALIAS = java.util.regex.Pattern.compile("[0-9]{2,15}");

    @Override
    public Optional<String> alias(RemoteRoomId room) {
        return store.aliasOf(slugOf(room));
    }

    @Override
    public boolean setAlias(RemoteRoomId room, String alias) {
        String slug = slugOf(room);
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new IllegalArgumentException("a room alias is 2 to 15 digits, like 8001");
        }
        refuseMappedRoomNamed(alias);
        if (store.personOfAlias(alias).isPresent()) {
            return false; // one number, one target: a person has it
        }
        boolean set = store.setAlias(slug, alias);
        if (set) {
            LOG.info("SIP: room {} reachable as {}@rooms.{} too", slug, alias, syntax.domain());
        }
        return set;
    }

    @Override
    public boolean removeAlias(RemoteRoomId room) {
        return store.removeAlias(slugOf(room));
    }

    // ------------------------------------------------------------------ numeric aliases of people (PersonAliases)

    @Override
    public Optional<String> personAlias(UserRef person) {
        return store.aliasOfPerson(puppet(person));
    }

    /**
     * Writing to {@code alias} at the bridge's bare domain (the sandbox's Kamailio routes 7000-7999 there) is
     * writing to {@code person}'s puppet URI. Rooms and people share one number space.
     */
    @Override
    public boolean setPersonAlias(UserRef person, String alias) {
        UserRef p = puppet(person);
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new IllegalArgumentException("an alias is 2 to 15 digits, like 7001");
        }
        refuseMappedRoomNamed(alias);
        if (store.roomOfAlias(alias).isPresent()) {
            return false; // a room has it
        }
        boolean set = store.setPersonAlias(p, alias);
        if (set) {
            LOG.info("SIP: {} reachable as {}@{} too", p, alias, syntax.domain());
        }
        return set;
    }

    @Override
    public boolean removePersonAlias(UserRef person) {
        return store.removePersonAlias(puppet(person));
    }

    // ------------------------------------------------------------------ per-room reactions switch (PortalReactions)

    @Override
    public boolean reactionsShown(RemoteRoomId room) {
        return store.reactionsShown(slugOf(room));
    }

    @Override
    public void setReactionsShown(RemoteRoomId room, boolean shown) {
        String slug = slugOf(room);
        store.setReactionsShown(slug, shown);
        reactionsShown.put(slug, shown);
        LOG.info("SIP: reactions {} in room {}", shown ? "shown" : "not shown", slug);
    }

    /** A number that is the name of a mapped room cannot be an alias (the room's URI is {@code <digits>@rooms.D}). */
    private void refuseMappedRoomNamed(String alias) {
        if (context != null && context.stores().rooms().findByPortal(new Portal(NETWORK,
                RemoteRoomId.of(syntax.roomUri(alias)))).isPresent()) {
            throw new IllegalArgumentException("a mapped room is named " + alias + " already");
        }
    }

    private UserRef puppet(UserRef person) {
        if (syntax.puppetUri(person).isEmpty()) {
            throw new IllegalArgumentException("no SIP puppet for " + person + " (networks with puppets: "
                    + String.join(", ", settings.networks()) + ")");
        }
        return person;
    }

    private String slugOf(RemoteRoomId room) {
        AddressSyntax.Parsed parsed = rules.room(room.value().strip());
        return parsed.value().flatMap(this::roomSlug).orElseThrow(() -> new IllegalArgumentException(
                parsed.problem().orElse("not a SIP room: " + room.value())));
    }

    private String personOf(RemoteUserId user) {
        AddressSyntax.Parsed parsed = rules.user(user.value().strip());
        return parsed.value().orElseThrow(() -> new IllegalArgumentException(
                parsed.problem().orElse("not a SIP user: " + user.value())));
    }

    /**
     * Live counters for the admin API's metrics: {@code sip.answered.<status>} (every answer to an inbound request
     * since start, refusals included; {@code sip.answered.-1}: could not be sent), {@code sip.offline.delivered}
     * and {@code sip.offline.expired}. Empty while not running.
     */
    public synchronized Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        if (endpoint != null) {
            endpoint.answersSent().forEach((status, n) -> out.put("sip.answered." + status, n));
        }
        if (offline != null) {
            out.put("sip.offline.delivered", offline.deliveredCount());
            out.put("sip.offline.expired", offline.expiredCount());
        }
        return out;
    }

    @Override
    public AdapterState state() {
        return state.get();
    }

    /** For the admin UI's room health: in a room or 1:1 portal of the bridge's domain while CONNECTED. */
    @Override
    public Optional<Boolean> bridgeJoined(RemoteRoomId room) {
        return new SipPortalMembership(syntax, state::get).bridgeJoined(room);
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        PhoneSender s;
        synchronized (this) {
            s = sender;
        }
        Optional<DirectChatId> dm = DirectChatId.parse(room.value());
        if (dm.isEmpty()) {
            Optional<String> slug = roomSlug(room.value());
            return slug.isPresent() && !reactionsShown.computeIfAbsent(slug.get(), store::reactionsShown)
                    ? REACTIONS_OFF : CAPABILITIES;
        }
        return s != null && s.sendsComposingTo(dm.get().phone()) ? TYPING : CAPABILITIES;
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        // The bridge's own URIs are never SIP people: a "person" in the bridge's domain is a loop.
        String id = user.value();
        int at = id.lastIndexOf('@');
        return at >= 0 && syntax.isOwnHost(id.substring(at + 1));
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        if (delivery.event() instanceof TypingEvent typing) {
            return typing(delivery, typing);
        }
        if (!(delivery.event() instanceof MessageEvent message)) {
            // typing, read markers: phones have none; membership: not shown; reactions: only where an admin
            // switched them off (elsewhere they come as the router's notices, see REACTIONS_OFF)
            return DeliveryReceipt.NONE;
        }
        if (!state.get().canDeliver()) {
            throw new TransientDeliveryException("SIP adapter is " + state.get().status(), null);
        }
        String roomId = delivery.target().room().value();
        Optional<DirectChatId> dm = DirectChatId.parse(roomId);
        if (dm.isPresent()) {
            String from = syntax.puppetUri(message.sender()).orElse(dm.get().puppet());
            String name = message.meta().profile().displayName().orElse("");
            String line = SipOutboundConverter.line(message, Optional.empty());
            // A phone that is offline gets it later (or never): the core waits for the outcome (DeliveryOutcomes).
            OfflineQueue.Awaited awaited = new OfflineQueue.Awaited(delivery.messageId(), delivery.target());
            return toPhones(List.of(dm.get().phone()), from, name, line, message.sender().toString(),
                    Optional.of(awaited));
        }
        String slug = roomSlug(roomId).orElseThrow(() -> new PermanentDeliveryException(
                "not a SIP room portal of " + syntax.domain() + ": " + roomId));
        String roomName = context.stores().rooms().find(delivery.room()).map(BridgedRoom::name).orElse(slug);
        String line = SipOutboundConverter.line(message, Optional.of(names.shown(slug, message.sender().toString(),
                message.meta().profile().displayName().orElse(shortId(message.sender())))));
        List<String> members = new ArrayList<>(store.members(slug));
        return toPhones(members, syntax.roomUri(slug), roomName, line, message.sender().toString(), Optional.empty());
    }

    /** Typing in a 1:1 chat, as is-composing to a phone that sent is-composing; never queued, never fails. */
    private DeliveryReceipt typing(Delivery delivery, TypingEvent typing) {
        Optional<DirectChatId> dm = DirectChatId.parse(delivery.target().room().value());
        PhoneSender s;
        synchronized (this) {
            s = sender;
        }
        if (dm.isPresent() && s != null && s.sendsComposingTo(dm.get().phone())) {
            String from = syntax.puppetUri(typing.meta().sender()).orElse(dm.get().puppet());
            s.sendComposing(dm.get().phone(), from, typing.meta().profile().displayName().orElse(""), typing.typing());
        }
        return DeliveryReceipt.NONE;
    }

    /** The slug of a room portal id ({@code sip:<slug>@rooms.D}, as the admin API stores it). */
    private Optional<String> roomSlug(String roomId) {
        if (!roomId.regionMatches(true, 0, "sip:", 0, 4) || roomId.lastIndexOf('@') < 0) {
            return Optional.empty();
        }
        int at = roomId.lastIndexOf('@');
        return syntax.target(roomId.substring(4, at), roomId.substring(at + 1)) instanceof SipAddressSyntax.Room r
                ? Optional.of(r.slug()) : Optional.empty();
    }

    /**
     * Sends {@code line} (split in parts) to every recipient, in parallel across recipients and in order per
     * recipient. Offline phones get the rest queued; in a 1:1 chat a refusal is permanent and a proxy failure
     * transient (the router retries), in a room one phone's trouble does not hold up the room.
     *
     * @param awaited present for a 1:1 chat (exactly one recipient): if the phone is offline, the receipt is
     *                {@link DeliveryReceipt#awaitingOutcome} and the queue reports the outcome. A room's fan-out
     *                is never awaited: one member's phone being away is not the author's failure.
     */
    private DeliveryReceipt toPhones(List<String> recipients, String fromUri, String fromName, String line,
                                     String author, Optional<OfflineQueue.Awaited> awaited) {
        boolean direct = awaited.isPresent();
        List<String> parts = SipOutboundConverter.split(line, settings.partBytes());
        List<CompletableFuture<List<PhoneSender.Sent>>> all = new ArrayList<>();
        for (String r : recipients) {
            all.add(CompletableFuture.supplyAsync(() -> sendInOrder(sender, offline, background, r, fromUri, fromName,
                    parts, author, awaited), background));
        }
        List<String> ids = new ArrayList<>();
        boolean queued = false;
        for (int i = 0; i < all.size(); i++) {
            List<PhoneSender.Sent> sent = all.get(i).join();
            if (direct) {
                PhoneSender.Sent last = sent.isEmpty() ? null : sent.get(sent.size() - 1);
                if (last != null && last.result() == PhoneSender.Result.REJECTED) {
                    throw new PermanentDeliveryException("the phone refused: " + last.status() + " " + last.reason());
                }
                if (last != null && last.result() == PhoneSender.Result.TRANSIENT) {
                    throw new TransientDeliveryException("SIP proxy: " + last.status() + " " + last.reason(), null);
                }
                queued = last == null || last.result() == PhoneSender.Result.OFFLINE;
            }
            if (i == 0) {
                sent.stream().filter(s -> s.result() == PhoneSender.Result.DELIVERED).map(PhoneSender.Sent::callId)
                        .forEach(ids::add);
            }
        }
        if (ids.isEmpty()) {
            ids.add("sip-" + UUID.randomUUID());
        }
        // A key the queue cannot keep (OfflineQueue#canAwait) is not awaited: the receipt stays final.
        return new DeliveryReceipt(ids.stream().map(RemoteMessageId::new).toList(),
                queued && awaited.filter(OfflineQueue::canAwait).isPresent());
    }

    /**
     * Sends the parts to one phone in order; from the first offline answer on, the remaining parts are queued. When
     * something older already waits for this phone, everything is queued behind it (so the order holds) and a
     * flush is started on {@code flusher}. Queued parts carry {@code awaited} ({@link OfflineQueue#enqueue}).
     *
     * @return the answers to what was sent now; empty, or ending in {@link PhoneSender.Result#OFFLINE}, when
     *         something was queued
     */
    static List<PhoneSender.Sent> sendInOrder(PhoneSender sender, OfflineQueue offline, java.util.concurrent.Executor flusher,
                                              String recipient, String fromUri, String fromName, List<String> parts,
                                              String author, Optional<OfflineQueue.Awaited> awaited) {
        List<PhoneSender.Sent> out = new ArrayList<>();
        if (offline.hasPending(recipient)) {
            offline.enqueue(recipient, fromUri, fromName, parts, author, awaited);
            flusher.execute(() -> offline.flush(recipient));
            return out;
        }
        for (int i = 0; i < parts.size(); i++) {
            PhoneSender.Sent s = sender.send(recipient, fromUri, fromName, parts.get(i));
            out.add(s);
            if (s.result() == PhoneSender.Result.OFFLINE) {
                offline.enqueue(recipient, fromUri, fromName, parts.subList(i, parts.size()), author, awaited);
                break;
            }
            if (s.result() != PhoneSender.Result.DELIVERED) {
                LOG.info("SIP MESSAGE to {} failed: {} {}", recipient, s.status(), s.reason());
                break;
            }
        }
        return out;
    }

    /** Sends one notice or fan-out line to one phone (split, queued if offline). Never throws. */
    static void sendOrQueue(PhoneSender sender, OfflineQueue offline, java.util.concurrent.Executor flusher,
                            SipSettings settings, String recipient, String fromUri, String fromName, String line,
                            String author) {
        try {
            sendInOrder(sender, offline, flusher, recipient, fromUri, fromName,
                    SipOutboundConverter.split(line, settings.partBytes()), author, Optional.empty());
        } catch (RuntimeException e) {
            LOG.warn("SIP MESSAGE to {} failed", recipient, e);
        }
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        try {
            String phone = failure.event().sender().user().value();
            String roomId = failure.event().meta().origin().room().value();
            Optional<DirectChatId> dm = DirectChatId.parse(roomId);
            String from = dm.map(DirectChatId::puppet).orElseGet(() -> roomSlug(roomId).map(syntax::roomUri)
                    .orElse(null));
            if (from == null || endpoint == null) {
                return;
            }
            String text = "⚠ Not delivered to " + failure.target().network() + ": " + failure.reason();
            background.execute(() -> sendOrQueue(sender, offline, background, settings, phone, from, "", text,
                    "bridge"));
        } catch (RuntimeException e) {
            LOG.warn("SIP failure report not sent", e);
        }
    }

    @Override
    public RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser) {
        String puppet = syntax.puppetUri(person).orElseThrow(() -> new PermanentDeliveryException(
                "no SIP puppet for " + person.network()));
        String phone = localUser.value();
        int at = phone.lastIndexOf('@');
        if (at <= 0 || syntax.isOwnHost(phone.substring(at + 1))) {
            throw new PermanentDeliveryException("not a SIP person: " + phone);
        }
        return RemoteRoomId.of(new DirectChatId(phone, puppet).value());
    }

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        String a = address.startsWith("sip:") ? address.substring(4) : address;
        int at = a.lastIndexOf('@');
        SipAddressSyntax.Target t = at < 0 ? syntax.target(a, SipAddressSyntax.ROOMS + "." + syntax.domain())
                : syntax.target(a.substring(0, at), a.substring(at + 1));
        return t instanceof SipAddressSyntax.Room r ? Optional.of(RemoteRoomId.of(syntax.roomUri(r.slug())))
                : Optional.empty();
    }

    /** Queued MESSAGEs delivered after the phone came back (for health and tests). */
    public long offlineDelivered() {
        return offline == null ? 0 : offline.deliveredCount();
    }

    private static String shortId(UserRef user) {
        String id = user.user().value();
        if (id.startsWith("@") && id.indexOf(':') > 0) {
            return id.substring(1, id.indexOf(':'));
        }
        int at = id.indexOf('@');
        return at > 0 ? id.substring(0, at) : id;
    }

    private void report(AdapterState.Status status, String detail) {
        AdapterState s = AdapterState.of(status, detail);
        state.set(s);
        if (context != null) {
            context.stateListener().stateChanged(NETWORK, s);
        }
        LOG.info("SIP adapter {}: {}", status, detail);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
