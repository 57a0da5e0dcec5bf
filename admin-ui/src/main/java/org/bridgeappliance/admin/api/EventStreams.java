package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.sse.Event;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.admin.AdminConfig;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.api.ActivityController.ActivityDto;
import org.bridgeappliance.admin.api.Dtos.AdaptersDto;
import org.bridgeappliance.admin.auth.AdminPrincipal;
import org.bridgeappliance.admin.auth.SessionStore;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live streams of {@code GET /api/v1/events}: one thread looks every {@code bridge.admin.event-stream-interval}
 * (while any stream is open) at what {@code /adapters} and {@code /activity} answer, and sends an {@code adapters}
 * or {@code activity} event down every stream when that changed (the uptime and the activity's end instant alone
 * are no change); a stream's first events are both, as they are now. A comment line goes down a stream that sent
 * nothing for {@code bridge.admin.event-stream-heartbeat}.
 *
 * <p>Bounded: {@code max-event-streams-per-session} per session (or per Basic-auth admin) get 429,
 * {@code max-event-streams} in total 503. A session's streams end when the session does (logout, expiry, password
 * change); looking does not count as use, so an open dashboard alone does not keep a session alive. Streams opened
 * with Basic credentials end after {@code session-max-age}.
 *
 * <p>Each stream is its own {@link Publisher} (for one subscriber, the HTTP response) written against the Reactive
 * Streams rules by hand: it holds at most the latest event of each kind, so a slow client gets the newest state,
 * never a growing queue.
 */
@Singleton
public class EventStreams {
    static final String ADAPTERS = "adapters";
    static final String ACTIVITY = "activity";
    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    /** A stream that nobody subscribed to this long after it was opened (the response failed) is dropped. */
    private static final Duration UNSUBSCRIBED_LIMIT = Duration.ofSeconds(30);
    /** How long a browser waits before reconnecting after the stream ended. */
    private static final Duration RETRY = Duration.ofSeconds(3);

    private final AdapterController adapters;
    private final ActivityController activity;
    private final SessionStore sessions;
    private final int maxPerOwner;
    private final int maxTotal;
    private final Duration heartbeat;
    private final Duration basicMaxAge;
    private final Clock clock = Clock.systemUTC();
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    /** The latest snapshots (touched on the ticker thread only; read by streams through {@link Stream#offer}). */
    private volatile Snapshot latest;

    /** One look at the dashboard's data; {@code version} grows when either part changed. */
    private record Snapshot(long adaptersVersion, AdaptersDto adapters, AdaptersDto adaptersKey,
                            long activityVersion, ActivityDto activity, ActivityDto activityKey) {
    }

    public EventStreams(AdapterController adapters, ActivityController activity, SessionStore sessions,
                        AdminConfig config) {
        this.adapters = adapters;
        this.activity = activity;
        this.sessions = sessions;
        this.maxPerOwner = Math.max(1, config.getMaxEventStreamsPerSession());
        this.maxTotal = Math.max(1, config.getMaxEventStreams());
        this.heartbeat = config.getEventStreamHeartbeat();
        this.basicMaxAge = config.getSessionMaxAge();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admin-event-streams");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, config.getEventStreamInterval().toMillis());
        ticker.scheduleWithFixedDelay(this::tickSafely, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * A new stream for this admin, counted from now on.
     *
     * @throws ApiException 429 when the session (or Basic-auth admin) has its maximum of streams open, 503 when
     *                      the appliance has
     */
    public Publisher<Event<?>> open(AdminPrincipal principal) {
        String owner = principal.method() == AdminPrincipal.Method.SESSION ? "session:" + principal.sessionId()
                : "basic:" + principal.username().toLowerCase(Locale.ROOT);
        Stream stream = new Stream(owner, principal.method() == AdminPrincipal.Method.SESSION
                ? principal.sessionId() : null, clock.instant());
        synchronized (streams) {
            if (streams.stream().filter(s -> s.owner.equals(owner)).count() >= maxPerOwner) {
                throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "this session has " + maxPerOwner
                        + " event streams open already; close one (or poll /adapters and /activity)", null);
            }
            if (streams.size() >= maxTotal) {
                throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the appliance has " + maxTotal
                        + " event streams open already; poll /adapters and /activity instead", null);
            }
            streams.add(stream);
        }
        return stream;
    }

    /** Open streams (for tests and metrics). */
    public int openStreams() {
        return streams.size();
    }

    @PreDestroy
    void close() {
        ticker.shutdownNow();
        streams.forEach(Stream::finish);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("event streams: could not read the dashboard's data: {}", e.toString());
        }
    }

    private void tick() {
        if (streams.isEmpty()) {
            latest = null;
            return;
        }
        Instant now = clock.instant();
        for (Stream s : streams) {
            if (s.sessionId != null ? !sessions.isLive(s.sessionId) : now.isAfter(s.opened.plus(basicMaxAge))) {
                s.finish();
            } else if (!s.subscribed() && now.isAfter(s.opened.plus(UNSUBSCRIBED_LIMIT))) {
                streams.remove(s);
            }
        }
        Snapshot snapshot = look(latest);
        latest = snapshot;
        for (Stream s : streams) {
            s.offer(snapshot, now);
        }
    }

    private Snapshot look(@Nullable Snapshot previous) {
        AdaptersDto a = adapters.adapters();
        AdaptersDto aKey = new AdaptersDto(a.adapters(), a.metrics(), 0, a.version(), a.outboxDepth());
        ActivityDto b = activity.activity();
        ActivityDto bKey = new ActivityDto("", b.minutes(), b.tracked(), b.delivered(), b.failed(), b.retried(),
                b.outboxDepth());
        if (previous == null) {
            return new Snapshot(1, a, aKey, 1, b, bKey);
        }
        boolean aChanged = !aKey.equals(previous.adaptersKey());
        boolean bChanged = !bKey.equals(previous.activityKey());
        return new Snapshot(previous.adaptersVersion() + (aChanged ? 1 : 0), aChanged ? a : previous.adapters(),
                aKey, previous.activityVersion() + (bChanged ? 1 : 0), bChanged ? b : previous.activity(), bKey);
    }

    /** Makes the next look happen now (a stream was just subscribed and wants its first events). */
    private void tickSoon() {
        try {
            ticker.execute(this::tickSafely);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** One stream: a publisher for one subscriber, and that subscriber's subscription. */
    private final class Stream implements Publisher<Event<?>>, Subscription {
        final String owner;
        @Nullable final String sessionId;
        final Instant opened;
        // Everything below is guarded by this.
        private Subscriber<? super Event<?>> subscriber;
        private long demand;
        private long sentAdapters;
        private long sentActivity;
        @Nullable private Event<?> pendingAdapters;
        @Nullable private Event<?> pendingActivity;
        private boolean pendingHeartbeat;
        private boolean first = true;
        private Instant lastSent;
        private boolean finishing;
        private boolean done;
        private boolean emitting;
        private boolean missed;

        Stream(String owner, @Nullable String sessionId, Instant opened) {
            this.owner = owner;
            this.sessionId = sessionId;
            this.opened = opened;
            this.lastSent = opened;
        }

        synchronized boolean subscribed() {
            return subscriber != null;
        }

        @Override
        public void subscribe(Subscriber<? super Event<?>> s) {
            synchronized (this) {
                if (subscriber != null) {
                    s.onSubscribe(new Subscription() {
                        @Override
                        public void request(long n) {
                        }

                        @Override
                        public void cancel() {
                        }
                    });
                    s.onError(new IllegalStateException("an event stream has one subscriber"));
                    return;
                }
                subscriber = s;
            }
            s.onSubscribe(this);
            tickSoon();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriberOrNull().onError(new IllegalArgumentException("§3.9: request must be positive"));
                return;
            }
            synchronized (this) {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            drain();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                done = true;
                pendingAdapters = null;
                pendingActivity = null;
            }
            streams.remove(this);
        }

        private synchronized Subscriber<? super Event<?>> subscriberOrNull() {
            return subscriber;
        }

        /** Ends the stream (its session ended, or the appliance stops). */
        void finish() {
            synchronized (this) {
                finishing = true;
            }
            streams.remove(this);
            drain();
        }

        /** Takes in a new look: events for what this stream has not seen, a heartbeat when it has been quiet. */
        void offer(Snapshot snapshot, Instant now) {
            synchronized (this) {
                if (done || subscriber == null) {
                    return;
                }
                if (snapshot.adaptersVersion() != sentAdapters) {
                    sentAdapters = snapshot.adaptersVersion();
                    pendingAdapters = named(Event.of(snapshot.adapters()).name(ADAPTERS));
                }
                if (snapshot.activityVersion() != sentActivity) {
                    sentActivity = snapshot.activityVersion();
                    pendingActivity = named(Event.of(snapshot.activity()).name(ACTIVITY));
                }
                if (pendingAdapters == null && pendingActivity == null
                        && !now.isBefore(lastSent.plus(heartbeat))) {
                    pendingHeartbeat = true;
                }
            }
            drain();
        }

        private Event<?> named(Event<?> event) {
            if (first) {
                first = false;
                return event.retry(RETRY);
            }
            return event;
        }

        private void drain() {
            synchronized (this) {
                if (emitting) {
                    missed = true;
                    return;
                }
                emitting = true;
            }
            while (true) {
                Event<?> next = null;
                boolean complete = false;
                Subscriber<? super Event<?>> target;
                synchronized (this) {
                    target = subscriber;
                    if (!done && target != null && demand > 0) {
                        if (pendingAdapters != null) {
                            next = pendingAdapters;
                            pendingAdapters = null;
                        } else if (pendingActivity != null) {
                            next = pendingActivity;
                            pendingActivity = null;
                        } else if (pendingHeartbeat) {
                            next = Event.of("").comment("heartbeat");
                            pendingHeartbeat = false;
                        }
                    }
                    if (next != null) {
                        demand--;
                        lastSent = clock.instant();
                    } else if (finishing && !done && target != null) {
                        done = true;
                        complete = true;
                    } else if (missed) {
                        missed = false;
                        continue;
                    } else {
                        emitting = false;
                        return;
                    }
                }
                if (complete) {
                    target.onComplete();
                } else {
                    target.onNext(next);
                }
            }
        }
    }
}
