package org.bridgeappliance.core.router;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.AdapterStateListener;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.port.PresenceDirectory;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * The symmetric core of the bridge: takes canonical events from every adapter ({@link #submit}) and delivers
 * them to every other portal of their bridged room. It knows no protocol; everything network-specific is in
 * the adapters, every capability fallback in {@link FallbackPolicy}.
 *
 * <p><b>Acceptance</b> ({@link #submit}, on the adapter's thread), in this order:
 * <ol>
 * <li>echo guard: a sender the origin adapter calls a bridge user ({@link ProtocolAdapter#isBridgeUser}) or a
 *     known puppet id on that network → {@code ECHO};</li>
 * <li>room: {@code stores.rooms().findByPortal(origin)}, absent or disabled → {@code NOT_BRIDGED};</li>
 * <li>an event whose remote id the bridge itself delivered into that portal (a non-origin copy) → {@code ECHO};</li>
 * <li>edits, retractions, reactions and read markers of a message neither recorded nor pending →
 *     {@code UNKNOWN_REFERENCE} (a reply to an unknown message is still delivered, as a plain message);</li>
 * <li>de-duplication: a remote id already recorded for (portal, author) → {@code DUPLICATE}. The origin copy
 *     is recorded in the message map at acceptance, so this also covers events still pending in the outbox
 *     (Matrix retries AS transactions, XMPP clients resend);</li>
 * <li>a canonical {@link BridgeMessageId} (random UUID) is assigned, the event appended to the outbox and
 *     its origin copy recorded (origin=true) before {@code QUEUED} is returned; messages, edits and
 *     retractions are also recorded in {@code stores.archive()}, and reactions in the origin portal's side of
 *     {@code stores.reactions()} (both best effort: a failing store is logged). Adapters write neither.</li>
 * </ol>
 * Typing notifications and read markers are ephemeral: not written to the outbox, not de-duplicated, and
 * dropped (counted) rather than waited for when their room's queue is full. Presence goes to the
 * {@link PresenceDispatcher} (see there for who receives it).
 *
 * <p><b>Delivery</b>: every bridged room has a serial {@link RoomPipeline} on one shared, bounded pool;
 * events of a room are delivered in submit order, one at a time; rooms are independent. A room holds at
 * most {@code maxQueuedPerRoom} accepted events; beyond that {@code submit} waits up to {@link #SUBMIT_WAIT}
 * and then throws {@link IngressUnavailableException} (the adapter then makes its network retry; nothing is
 * dropped). See {@link DeliveryJob} for retries, waiting for a disconnected network and the report-back path.
 * {@link org.bridgeappliance.core.port.Delivery#messageId()} is the canonical id assigned to the delivered
 * event itself (an edit has its own id; the edited message is in {@code reference}).
 *
 * <p><b>Lifecycle</b>: {@link #start()} starts every adapter, then replays the outbox (pending entries, in
 * sequence order, skipping portals already marked done); submits arriving meanwhile wait for the replay to
 * be queued so that they are delivered after it. {@link #close()} refuses new events, lets pipelines drain
 * for {@code shutdownTimeout}, stops the pools and then the adapters; what is still pending stays in the
 * outbox for the next start.
 *
 * <p>Time: {@code clock} stamps records (message map, outbox); waits and deadlines use
 * {@link System#nanoTime()}, so a fixed test clock cannot stall the router.
 */
public final class Router implements EventIngress, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    /** How long {@link #submit} waits for room in a full room queue (or for the start-up replay) before refusing. */
    public static final Duration SUBMIT_WAIT = Duration.ofMillis(500);
    /** How long {@link #submit} waits for {@link #start()} to finish replaying the outbox. */
    private static final Duration START_WAIT = Duration.ofSeconds(10);

    private enum Lifecycle { NEW, STARTING, RUNNING, CLOSED }

    private final BridgeStores stores;
    private final Map<Network, ProtocolAdapter> adapters;
    private final RouterConfig config;
    private final Clock clock;
    private final PortalCoordinator portals;
    private final RouterMetrics metrics = new RouterMetrics();
    private final RecentTextCache texts = new RecentTextCache();
    private final ReferenceResolver resolver;
    private final DeliveryJob.Env env;
    private final Map<RoomId, RoomPipeline> pipelines = new ConcurrentHashMap<>();
    private final Map<Network, AdapterState> states = new ConcurrentHashMap<>();
    private final Map<Network, Set<RoomPipeline>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Object idle = new Object();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final PipelineHost host = new PipelineHost();
    private final PresenceDispatcher presence;
    private final Map<Network, AddressSyntax> syntaxes;
    private final Addressing addressing;
    private final LateOutcomes outcomes;
    private final CopyRecorder copies;
    private final LastPresence lastPresence;

    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private ThreadPoolExecutor pool;
    private ScheduledThreadPoolExecutor timer;

    /**
     * @param adapters one per network (a second adapter for the same network is an error)
     * @param clock    stamps message-map and outbox records
     */
    public Router(BridgeStores stores, Collection<ProtocolAdapter> adapters, RouterConfig config, Clock clock) {
        this(stores, adapters, config, clock, PortalCoordinator.NONE);
    }

    /** As {@link #Router(BridgeStores, Collection, RouterConfig, Clock)}, handing adapters {@code portals} in their context. */
    public Router(BridgeStores stores, Collection<ProtocolAdapter> adapters, RouterConfig config, Clock clock,
                  PortalCoordinator portals) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.portals = Objects.requireNonNull(portals, "portals");
        Map<Network, ProtocolAdapter> byNetwork = new LinkedHashMap<>();
        for (ProtocolAdapter adapter : adapters) {
            Objects.requireNonNull(adapter, "adapter");
            if (byNetwork.put(adapter.network(), adapter) != null) {
                throw new IllegalArgumentException("two adapters for network " + adapter.network());
            }
        }
        this.adapters = java.util.Collections.unmodifiableMap(byNetwork);
        Map<Network, AddressSyntax> bySyntax = new LinkedHashMap<>();
        byNetwork.forEach((network, adapter) -> adapter.addressSyntax().ifPresent(s -> bySyntax.put(network, s)));
        this.syntaxes = Map.copyOf(bySyntax);
        this.addressing = network -> Optional.ofNullable(syntaxes.get(network));
        this.lastPresence = new LastPresence(addressing, LastPresence.DEFAULT_CAPACITY);
        this.resolver = new ReferenceResolver(stores.messages());
        this.outcomes = new LateOutcomes(stores.lateOutcomes(), stores.unitOfWork(), this.adapters, metrics, clock,
                task -> pool.execute(task));
        this.copies = new CopyRecorder(stores.messages(), stores.unitOfWork(), clock);
        this.env = new DeliveryJob.Env(stores, this.adapters, config, metrics, texts, resolver, clock, outcomes,
                copies);
        this.presence = new PresenceDispatcher(stores, this.adapters, config, metrics,
                new PresenceDispatcher.Scheduler() {
                    @Override
                    public void execute(Runnable task) {
                        pool.execute(task);
                    }

                    @Override
                    public void schedule(Runnable task, long millis) {
                        timer.schedule(() -> pool.execute(task), millis, TimeUnit.MILLISECONDS);
                    }
                });
    }

    /**
     * Starts every adapter ({@code adapter.start(new AdapterContext(this, listener, stores, clock, ...))}), then
     * replays {@code stores.outbox().pending()}. Called once. An adapter whose start throws is recorded as
     * FAILED; the others run.
     *
     * @throws IllegalStateException if called twice or after {@link #close()}
     */
    public synchronized void start() {
        if (lifecycle != Lifecycle.NEW) {
            throw new IllegalStateException("router already " + lifecycle);
        }
        int threads = Math.max(4, Math.min(32, 4 * Runtime.getRuntime().availableProcessors()));
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads("bridge-router-"));
        pool.allowCoreThreadTimeOut(true);
        timer = new ScheduledThreadPoolExecutor(1, daemonThreads("bridge-router-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        lifecycle = Lifecycle.STARTING;
        AdapterStateListener listener = this::stateChanged;
        for (ProtocolAdapter adapter : adapters.values()) {
            try {
                adapter.start(new AdapterContext(this, listener, stores, clock, portals, addressing, outcomes,
                        lastPresence, copies));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "adapter " + adapter.network() + " failed to start", e);
                states.put(adapter.network(), new AdapterState(AdapterState.Status.FAILED,
                        "start failed: " + e.getClass().getSimpleName(), clock.instant()));
            }
        }
        try {
            replay();
            outcomes.reportUnreported();
        } finally {
            lifecycle = Lifecycle.RUNNING;
            ready.countDown();
        }
    }

    /**
     * Refuses new events, lets the pipelines drain for at most {@code config.shutdownTimeout()}, stops the
     * router's threads and then every adapter. Idempotent. Undelivered events stay in the outbox.
     */
    @Override
    public void close() {
        Lifecycle before;
        synchronized (this) {
            before = lifecycle;
            if (before == Lifecycle.CLOSED) {
                return;
            }
            lifecycle = Lifecycle.CLOSED;
        }
        ready.countDown();
        if (before == Lifecycle.NEW) {
            return; // nothing was started
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        synchronized (idle) {
            while (outstanding.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(Level.WARNING, outstanding.get() + " deliveries still pending at shutdown; they stay in "
                            + "the outbox and are replayed at the next start");
                    break;
                }
                try {
                    idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        timer.shutdownNow();
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "router threads did not stop within 2 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProtocolAdapter adapter : adapters.values()) {
            try {
                adapter.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "adapter " + adapter.network() + " failed to stop", e);
            }
        }
    }

    /**
     * The latest state each adapter reported through its state listener; for an adapter that has not reported
     * yet, its {@link ProtocolAdapter#state()}. In adapter order; a copy.
     */
    public Map<Network, AdapterState> adapterStates() {
        Map<Network, AdapterState> map = new LinkedHashMap<>();
        for (ProtocolAdapter adapter : adapters.values()) {
            AdapterState state = states.get(adapter.network());
            if (state == null) {
                try {
                    state = adapter.state();
                } catch (RuntimeException e) {
                    state = new AdapterState(AdapterState.Status.FAILED, "state unavailable", clock.instant());
                }
            }
            map.put(adapter.network(), state);
        }
        return map;
    }

    /**
     * Every network's address rules, as its adapter declares them ({@link ProtocolAdapter#addressSyntax()},
     * read once at construction); available before {@link #start()}. Thread-safe.
     */
    public Addressing addressing() {
        return addressing;
    }

    /** The latest accepted presence per person (bounded, in memory); what adapters get as {@code presence()}. */
    public PresenceDirectory presence() {
        return lastPresence;
    }

    /** Live counters. */
    public RouterMetrics metrics() {
        return metrics;
    }

    /**
     * {@inheritDoc}
     *
     * <p>May block: up to {@link #SUBMIT_WAIT} when the room's queue is full, and while a store write takes.
     *
     * @throws IngressUnavailableException before {@link #start()}, after {@link #close()}, when the room's queue
     *         stays full, or when a store fails
     */
    @Override
    public Acceptance submit(BridgeEvent event) {
        Objects.requireNonNull(event, "event");
        awaitRunning();
        try {
            if (event instanceof PresenceEvent p) {
                return submitPresence(p);
            }
            return submitRoomEvent((RoomEvent) event);
        } catch (IngressUnavailableException e) {
            throw e;
        } catch (StoreConflictException e) {
            throw new IngressUnavailableException("store conflict while accepting the event", e);
        } catch (org.bridgeappliance.core.store.StoreException e) {
            throw new IngressUnavailableException("store unavailable", e);
        }
    }

    private void awaitRunning() {
        Lifecycle now = lifecycle;
        if (now == Lifecycle.STARTING) {
            try {
                if (!ready.await(START_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IngressUnavailableException("router still starting", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IngressUnavailableException("interrupted while the router starts", e);
            }
            now = lifecycle;
        }
        if (now != Lifecycle.RUNNING) {
            throw new IngressUnavailableException("router " + (now == Lifecycle.NEW ? "not started" : "closed"), null);
        }
    }

    private Acceptance submitPresence(PresenceEvent event) {
        if (isBridgeUser(event.sender())) {
            metrics.countEcho();
            return Acceptance.ECHO;
        }
        lastPresence.record(event); // also when no network shows it yet: a later SUBSCRIBE asks for it
        if (!presence.offer(event)) {
            metrics.countNotBridged();
            return Acceptance.NOT_BRIDGED;
        }
        metrics.countAccepted(event.sender().network());
        return Acceptance.QUEUED;
    }

    private Acceptance submitRoomEvent(RoomEvent event) {
        if (isBridgeUser(event.sender())) {
            metrics.countEcho();
            return Acceptance.ECHO;
        }
        Optional<BridgedRoom> found = stores.rooms().findByPortal(event.origin());
        if (found.isEmpty() || !found.get().enabled()) {
            metrics.countNotBridged();
            return Acceptance.NOT_BRIDGED;
        }
        BridgedRoom room = found.get();
        Optional<RemoteMessageId> remoteId = event.remoteId();
        if (remoteId.isPresent()) {
            for (MessageMapping m : stores.messages().findInPortal(event.origin(), remoteId.get())) {
                if (!m.origin()) {
                    metrics.countEcho(); // the bridge put this id there: our own delivery coming back
                    return Acceptance.ECHO;
                }
            }
        }
        Optional<BridgeMessageId> referred = resolver.canonical(event);
        boolean needsReference = event instanceof EditEvent || event instanceof RetractionEvent
                || event instanceof ReactionEvent || event instanceof ReadMarkerEvent;
        if (needsReference && referred.isEmpty()) {
            metrics.countUnknownReference();
            return Acceptance.UNKNOWN_REFERENCE;
        }
        if (event instanceof TypingEvent || event instanceof ReadMarkerEvent) {
            return submitEphemeral(event, room);
        }
        Acceptance result = inRoom(room.id(), true, pipeline -> accept(pipeline, event, room, referred));
        if (result == Acceptance.QUEUED) {
            metrics.countAccepted(event.origin().network());
        } else if (result == Acceptance.DUPLICATE) {
            metrics.countDuplicate();
        }
        return result;
    }

    /**
     * Runs under the room pipeline's monitor: acceptance order is delivery order. The acceptance's writes (the
     * duplicate check's read, the outbox entry, the origin copy, the archive row, the origin side of a reaction)
     * are one unit of work: one commit, before the event is acknowledged as QUEUED and before its delivery is
     * enqueued (a delivery must never see an entry that might still roll back). A crash before that commit leaves
     * nothing of the acceptance, and the network, never acknowledged, sends the event again.
     */
    private Acceptance accept(RoomPipeline pipeline, RoomEvent event, BridgedRoom room,
                              Optional<BridgeMessageId> referred) {
        OutboxEntry entry = stores.unitOfWork().inOne(() -> acceptDurably(event, room, referred));
        if (entry == null) {
            return Acceptance.DUPLICATE;
        }
        if (event instanceof MessageEvent m) {
            texts.put(room.id(), entry.messageId(), FallbackPolicy.displayName(m), m.body().plain());
        } else if (event instanceof EditEvent e && referred.isPresent()) {
            texts.update(room.id(), referred.get(), e.newBody().plain());
        }
        enqueue(pipeline, new DeliveryJob(env, entry, true, room));
        return Acceptance.QUEUED;
    }

    /** The writes of an acceptance, in its unit of work; null for a duplicate (then nothing stays written). */
    private OutboxEntry acceptDurably(RoomEvent event, BridgedRoom room, Optional<BridgeMessageId> referred) {
        Optional<RemoteMessageId> remoteId = event.remoteId();
        if (remoteId.isPresent()
                && stores.messages().findByAuthor(event.origin(), event.sender(), remoteId.get()).isPresent()) {
            return null;
        }
        BridgeMessageId messageId = new BridgeMessageId(UUID.randomUUID().toString());
        OutboxEntry entry = stores.outbox().append(room.id(), messageId, event);
        if (remoteId.isPresent()) {
            try {
                stores.unitOfWork().attempt(() -> stores.messages().record(List.of(new MessageMapping(messageId,
                        room.id(), event.origin(), event.sender(), remoteId.get(), 0, true, clock.instant()))));
            } catch (StoreConflictException e) {
                withdraw(entry);
                return null; // another router instance accepted it first
            } catch (RuntimeException e) {
                withdraw(entry);
                throw e;
            }
        }
        archive(room.id(), messageId, event, referred);
        if (event instanceof ReactionEvent r && referred.isPresent()) {
            recordOriginReaction(r, referred.get());
        }
        return entry;
    }

    /**
     * The origin portal's side of a reaction, recorded here (one writer, as the origin copy of a message is), not
     * by the adapter after {@code submit}: under the room's monitor, so a removal never overtakes its add. Its
     * remote id is the reaction's own id where the network has one (a Matrix annotation event, needed to resolve
     * its later redaction), else the reacted message's. Best effort like the archive: a failing store is logged,
     * the reaction is still delivered (what is lost is a removal after a restart).
     */
    private void recordOriginReaction(ReactionEvent r, BridgeMessageId message) {
        try {
            stores.unitOfWork().attempt(() -> {
                if (r.added()) {
                    stores.reactions().record(new org.bridgeappliance.core.store.ReactionMapping(message, r.origin(),
                            r.sender(), r.key(), r.remoteId().orElse(r.target())));
                } else {
                    stores.reactions().remove(message, r.origin(), r.sender(), r.key());
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record the reaction " + r.key() + " of " + r.sender() + " in "
                    + r.origin() + "; it is delivered, but its removal after a restart may not be", e);
        }
    }

    /**
     * Records an accepted message, edit or retraction in the room's archive (history on join, MAM). Runs under
     * the room's monitor, so archive order is acceptance order. The archive is a convenience, not the
     * bridge's durability: a failing archive is logged and the event is still delivered.
     */
    private void archive(RoomId roomId, BridgeMessageId messageId, RoomEvent event, Optional<BridgeMessageId> referred) {
        try {
            // A part of the acceptance's unit of work that may fail alone (a savepoint): the event still goes out.
            stores.unitOfWork().attempt(() -> {
                if (event instanceof MessageEvent m) {
                    stores.archive().append(archived(roomId, messageId, m));
                } else if (event instanceof EditEvent e && referred.isPresent()) {
                    stores.archive().edit(referred.get(), e.newBody(), e.timestamp());
                } else if (event instanceof RetractionEvent && referred.isPresent()) {
                    stores.archive().retract(referred.get());
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not archive " + event.getClass().getSimpleName() + " " + messageId
                    + " of room " + roomId + "; it is delivered but missing from the room's history", e);
        }
    }

    /** The archive's form of a message: its text, or for a message with only files a line per file. */
    static ArchivedMessage archived(RoomId roomId, BridgeMessageId messageId, MessageEvent m) {
        MessageBody body = m.body();
        if (body.plain().isBlank() && !m.attachments().isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (Attachment a : m.attachments()) {
                text.append(text.isEmpty() ? "" : "\n").append(a.fileName().orElse(a.kind().name().toLowerCase(
                        java.util.Locale.ROOT))).append(": ").append(a.uri());
            }
            body = MessageBody.plain(text.toString());
        }
        return ArchivedMessage.of(messageId, roomId, m.sender(), m.meta().profile().displayName().orElse(""),
                m.timestamp(), m.kind(), body);
    }

    private void withdraw(OutboxEntry entry) {
        try {
            stores.unitOfWork().attempt(() -> stores.outbox().complete(entry.sequence()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not withdraw outbox entry " + entry.sequence()
                    + " of a refused event; it will be replayed at the next start", e);
        }
    }

    private Acceptance submitEphemeral(RoomEvent event, BridgedRoom room) {
        OutboxEntry standIn = new OutboxEntry(0, room.id(), new BridgeMessageId(UUID.randomUUID().toString()), event,
                Set.of(), clock.instant());
        Acceptance result = inRoom(room.id(), false, pipeline -> {
            enqueue(pipeline, new DeliveryJob(env, standIn, false, room));
            return Acceptance.QUEUED;
        });
        if (result == null) {
            metrics.countDroppedEphemeral(); // the room is overloaded: a typing notification is not worth waiting for
        } else {
            metrics.countAccepted(event.origin().network());
        }
        return Acceptance.QUEUED;
    }

    private interface RoomAction {
        Acceptance apply(RoomPipeline pipeline);
    }

    /**
     * Runs {@code action} holding the monitor of the room's pipeline once the room has space.
     *
     * @param wait true to wait up to {@link #SUBMIT_WAIT} for space (then refuse), false to return null at once
     */
    private Acceptance inRoom(RoomId roomId, boolean wait, RoomAction action) {
        long deadline = System.nanoTime() + SUBMIT_WAIT.toNanos();
        while (true) {
            RoomPipeline pipeline = pipelines.computeIfAbsent(roomId, id -> new RoomPipeline(id, host));
            synchronized (pipeline) {
                while (!pipeline.retired() && pipeline.size() >= config.maxQueuedPerRoom()) {
                    long left = deadline - System.nanoTime();
                    if (!wait) {
                        return null;
                    }
                    if (left <= 0) {
                        throw new IngressUnavailableException("room " + roomId + " has " + pipeline.size()
                                + " events waiting for delivery; try again later", null);
                    }
                    try {
                        pipeline.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IngressUnavailableException("interrupted while waiting for room " + roomId, e);
                    }
                }
                if (!pipeline.retired()) {
                    if (lifecycle == Lifecycle.CLOSED) {
                        throw new IngressUnavailableException("router closed", null);
                    }
                    return action.apply(pipeline);
                }
            }
            // The pipeline drained and retired while we looked: take the room's fresh one.
        }
    }

    private void enqueue(RoomPipeline pipeline, DeliveryJob job) {
        outstanding.incrementAndGet();
        pipeline.enqueue(job);
    }

    private void replay() {
        List<OutboxEntry> pending;
        try {
            pending = stores.outbox().pending();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "could not read the outbox; pending deliveries wait for the next start", e);
            return;
        }
        if (!pending.isEmpty()) {
            LOG.log(Level.INFO, "replaying " + pending.size() + " pending deliveries from the outbox");
        }
        for (OutboxEntry pendingEntry : pending) {
            OutboxEntry entry = withRecordedCopiesDone(pendingEntry);
            Optional<BridgedRoom> room = stores.rooms().find(entry.room());
            if (room.isEmpty() || !room.get().enabled()) {
                LOG.log(Level.WARNING, "dropping pending delivery " + entry.messageId() + " (outbox "
                        + entry.sequence() + "): its room " + entry.room() + " is "
                        + (room.isEmpty() ? "deleted" : "disabled"));
                withdraw(entry);
                continue;
            }
            RoomPipeline pipeline;
            while (true) {
                pipeline = pipelines.computeIfAbsent(entry.room(), id -> new RoomPipeline(id, host));
                synchronized (pipeline) {
                    if (!pipeline.retired()) {
                        // The replay is not bounded by maxQueuedPerRoom: these events were accepted already.
                        enqueue(pipeline, new DeliveryJob(env, entry, true, room.get()));
                        break;
                    }
                }
            }
            if (entry.event() instanceof MessageEvent m) {
                texts.put(entry.room(), entry.messageId(), FallbackPolicy.displayName(m), m.body().plain());
                // Appending is idempotent: this only fills the gap of a crash between outbox and archive.
                archive(entry.room(), entry.messageId(), m, Optional.empty());
            }
        }
    }

    /**
     * A delivery's copy is recorded in the message map before its outbox mark, so a crash between the two
     * leaves a portal that got the message but is not marked done; delivering there again at the replay
     * would show it twice (fresh stanza ids on XMPP). Such portals are marked done here instead. Only
     * the replay pays this lookup; the live path never needs it.
     */
    private OutboxEntry withRecordedCopiesDone(OutboxEntry entry) {
        Set<Portal> delivered = new HashSet<>(entry.delivered());
        try {
            for (MessageMapping copy : stores.messages().copies(entry.messageId())) {
                if (!copy.origin() && delivered.add(copy.portal())) {
                    LOG.log(Level.INFO, "outbox " + entry.sequence() + ": " + copy.portal()
                            + " already has its copy (delivered before the crash); not delivering again");
                    stores.outbox().markDone(entry.sequence(), copy.portal());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not check the recorded copies of outbox entry " + entry.sequence()
                    + "; replaying it to every portal not marked done", e);
            return entry;
        }
        return delivered.size() == entry.delivered().size() ? entry
                : new OutboxEntry(entry.sequence(), entry.room(), entry.messageId(), entry.event(), delivered,
                        entry.acceptedAt());
    }

    private boolean isBridgeUser(UserRef sender) {
        ProtocolAdapter adapter = adapters.get(sender.network());
        if (adapter != null && adapter.isBridgeUser(sender.user())) {
            return true;
        }
        return stores.puppets().findByPuppetId(sender.network(), sender.user()).isPresent();
    }

    private void stateChanged(Network network, AdapterState state) {
        if (network == null || state == null) {
            return;
        }
        states.put(network, state);
        if (state.canDeliver()) {
            Set<RoomPipeline> waiting = waiters.remove(network);
            if (waiting != null) {
                waiting.forEach(p -> p.networkReturned(network));
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The router's side of its pipelines. */
    private final class PipelineHost implements RoomPipeline.Host {
        @Override
        public void execute(Runnable drain) {
            pool.execute(drain);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable wake, long millis) {
            return timer.schedule(wake, millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void waitFor(Network network, RoomPipeline pipeline) {
            waiters.computeIfAbsent(network, n -> ConcurrentHashMap.newKeySet()).add(pipeline);
        }

        @Override
        public void retire(RoomId room, RoomPipeline pipeline) {
            pipelines.remove(room, pipeline);
        }

        @Override
        public void taskFinished() {
            if (outstanding.decrementAndGet() == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }
    }
}
