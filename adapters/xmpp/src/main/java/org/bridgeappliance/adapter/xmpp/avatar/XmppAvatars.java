package org.bridgeappliance.adapter.xmpp.avatar;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * XMPP users' avatars, learned and published for other networks.
 *
 * <p>Learning: presences announce the avatar's SHA-1 (XEP-0153 {@code vcard-temp:x:update}); the photo
 * itself is fetched with a vCard-temp (XEP-0054) IQ get from one of our JIDs to the user's. That is
 * enough for users who publish XEP-0084 (PEP) avatars too: Prosody's {@code mod_vcard_legacy} mirrors
 * PEP avatars into vcard-temp (and injects the XEP-0153 hash into their presences). Users whose presence
 * carries no hash get one fetch on first sight (first join or message), then a negative-cache TTL keeps
 * every later message from querying again. Fetches run on a small pool off the stanza-reading thread,
 * with a bounded queue (excess requests are dropped and tried again at the next sight), a timeout per
 * request, the size limit and the magic-byte check of {@link AvatarImages}.
 *
 * <p>Publishing: every known avatar has a signed, content-addressed link ({@link AvatarLinks}); events
 * carry it in their {@link Profile}. The bytes are kept in a cache bounded by total size; a link whose
 * bytes were evicted (or not known after a restart) is served by fetching the vCard again, and only
 * if its SHA-1 is still the one in the link ({@link #serve}).
 *
 * <p>When an avatar is learned or changes, the {@link Listener} is told on the fetch thread, so the
 * adapter can send a profile update without waiting for the person's next message. A removed avatar
 * (an empty {@code <photo/>}) stops the link from being attached to later events, but the canonical model
 * has no "remove avatar", so the other side keeps showing the last one.
 *
 * <p>When there is no public base URL, nothing is fetched or published ({@link #enabled()} is false).
 * Thread-safe.
 */
public final class XmppAvatars implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(XmppAvatars.class);
    public static final Duration NEGATIVE_TTL = Duration.ofMinutes(10);
    public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    public static final long CACHE_BYTES = 32L * 1024 * 1024;
    static final int FETCH_THREADS = 2;
    static final int FETCH_QUEUE = 256;
    static final int SERVE_CONCURRENCY = 4;
    static final int MAX_USERS = 20_000;

    /** Told when a person's avatar is learned or changes. Called on a fetch thread; must not block long. */
    @FunctionalInterface
    public interface Listener {
        void avatarChanged(UserRef person, URI link);
    }

    /** Where a vCard request goes: from one of our JIDs (a puppet, our MUC occupant, the component) to the person's. */
    public record Route(Jid from, Jid to) {
        public Route {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /** The outcome of serving a link. */
    public sealed interface Served {
        record Found(AvatarImages.Image image) implements Served {
        }

        /** Bad signature, unknown person, or an avatar that is no longer the one in the link. */
        record NotFound() implements Served {
        }

        /** Not published (no public base URL), or too busy to fetch right now. */
        record Unavailable() implements Served {
        }
    }

    private static final class State {
        /** SHA-1 of the avatar we have and publish; null if none. */
        String known;
        /** The last XEP-0153 announcement: null never seen, "" no avatar, else a hash. */
        String announced;
        Instant lastAttempt;
        String lastAttemptFor;
        boolean inFlight;
        Route route;
    }

    private final Optional<AvatarLinks> links;
    private final StanzaSender sender;
    private final Clock clock;
    private final Duration negativeTtl;
    private final Duration timeout;
    private final Function<UserRef, Optional<Route>> defaultRoute;
    private final String network;
    private final Map<UserRef, State> users = lru(MAX_USERS);
    private final ImageCache cache;
    private final ThreadPoolExecutor fetcher;
    private final Semaphore serving = new Semaphore(SERVE_CONCURRENCY);
    private volatile Listener listener = (p, l) -> { };
    private final java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param links        empty to turn the feature off (no public base URL)
     * @param defaultRoute how to reach a person when serving a link nobody has sighted since the start
     * @param network      the network id of XMPP users' {@link UserRef}s
     */
    public XmppAvatars(Optional<AvatarLinks> links, StanzaSender sender, Clock clock, Duration negativeTtl,
                       Duration timeout, long cacheBytes, Function<UserRef, Optional<Route>> defaultRoute,
                       String network) {
        this.links = Objects.requireNonNull(links, "links");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.negativeTtl = Objects.requireNonNull(negativeTtl, "negativeTtl");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.defaultRoute = Objects.requireNonNull(defaultRoute, "defaultRoute");
        this.network = Objects.requireNonNull(network, "network");
        this.cache = new ImageCache(cacheBytes);
        this.fetcher = new ThreadPoolExecutor(FETCH_THREADS, FETCH_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(FETCH_QUEUE), r -> {
                    Thread t = new Thread(r, "xmpp-vcard-fetch");
                    t.setDaemon(true);
                    return t;
                });
        this.fetcher.allowCoreThreadTimeOut(true);
    }

    /** Whether avatars are published at all (a public base URL is configured). */
    public boolean enabled() {
        return links.isPresent();
    }

    public void setListener(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The link of a person's current avatar, if one is known. */
    public Optional<URI> link(UserRef person) {
        if (links.isEmpty()) {
            return Optional.empty();
        }
        String sha1;
        synchronized (this) {
            State s = users.get(person);
            sha1 = s == null ? null : s.known;
        }
        return sha1 == null ? Optional.empty() : Optional.of(links.get().link(person.user().value(), sha1));
    }

    /** A person's profile as events carry it: the name, and the avatar link when one is known. */
    public Profile profile(UserRef person, String displayName) {
        return new Profile(Optional.ofNullable(displayName), link(person));
    }

    /**
     * A presence of {@code person} with its XEP-0153 hint. A new hash is fetched (unless the same hash failed
     * within the negative TTL); an empty photo means no avatar (nothing fetched); an unknown hint counts as a
     * sighting ({@link #seen}). {@code route} may be null when no JID of ours can ask right now. Never blocks.
     */
    public void observe(UserRef person, PhotoHint hint, Route route) {
        if (links.isEmpty()) {
            return;
        }
        if (hint.kind() == PhotoHint.Kind.UNKNOWN) {
            seen(person, route);
            return;
        }
        State s;
        synchronized (this) {
            s = users.computeIfAbsent(person, p -> new State());
            if (route != null) {
                s.route = route;
            }
            if (hint.kind() == PhotoHint.Kind.NONE) {
                s.announced = "";
                s.known = null; // no "remove avatar" in the model: later events just carry none
                return;
            }
            String sha1 = hint.sha1().orElseThrow();
            s.announced = sha1;
            if (sha1.equals(s.known) || s.inFlight || s.route == null
                    || (sha1.equals(s.lastAttemptFor) && recent(s.lastAttempt))) {
                return;
            }
            start(s);
        }
        submit(person, s, s.route);
    }

    /**
     * {@code person} was seen (joined, wrote) without a XEP-0153 hint: their vCard is fetched once, then not
     * again within the negative TTL. Never blocks.
     */
    public void seen(UserRef person, Route route) {
        if (links.isEmpty()) {
            return;
        }
        State s;
        synchronized (this) {
            s = users.computeIfAbsent(person, p -> new State());
            if (route != null) {
                s.route = route;
            }
            if (s.known != null || s.announced != null || s.inFlight || s.route == null
                    || (s.lastAttempt != null && recent(s.lastAttempt))) {
                return;
            }
            start(s);
        }
        submit(person, s, s.route);
    }

    private boolean recent(Instant attempt) {
        return attempt != null && clock.instant().isBefore(attempt.plus(negativeTtl));
    }

    private void start(State s) {
        started.incrementAndGet();
        s.inFlight = true;
        s.lastAttempt = clock.instant();
        s.lastAttemptFor = s.announced;
    }

    private void submit(UserRef person, State s, Route route) {
        try {
            fetcher.execute(() -> fetchInBackground(person, s, route));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                s.inFlight = false;
                s.lastAttempt = null; // not tried: the next sighting tries again
            }
            finished.incrementAndGet();
            LOG.debug("vCard fetch of {} dropped: too many pending", person.user());
        }
    }

    private void fetchInBackground(UserRef person, State s, Route route) {
        Optional<AvatarImages.Image> image = Optional.empty();
        try {
            image = fetch(route);
        } finally {
            // Cached before it becomes known, so a link handed out is served from the cache.
            image.ifPresent(cache::put);
            String previous;
            String announced;
            boolean again;
            synchronized (this) {
                s.inFlight = false;
                previous = s.known;
                announced = s.announced;
                if (image.isPresent() && !"".equals(announced)) {
                    s.known = image.get().sha1();
                }
                // A newer hash announced while this fetch ran, and not tried yet: fetch once more.
                again = announced != null && !announced.isEmpty() && !announced.equals(s.known)
                        && !announced.equals(s.lastAttemptFor) && s.route != null;
                if (again) {
                    start(s);
                }
            }
            if (again) {
                submit(person, s, s.route);
            }
            if (image.isPresent() && !"".equals(announced)) {
                String sha1 = image.get().sha1();
                if (announced != null && !announced.equals(sha1)) {
                    // A newer avatar published between the presence and the fetch, or a server hashing otherwise:
                    // the vCard's photo is the current truth and is published under its own hash.
                    LOG.debug("vCard photo of {} has SHA-1 {}, its presence announced {}", person.user(), sha1,
                            announced);
                }
                if (!sha1.equals(previous)) {
                    try {
                        listener.avatarChanged(person, links.orElseThrow().link(person.user().value(), sha1));
                    } catch (RuntimeException e) {
                        LOG.warn("avatar update of {} not sent: {}", person.user(), e.toString());
                    }
                }
            }
            finished.incrementAndGet();
        }
    }

    /** One vCard round trip (blocking, bounded by the timeout). Empty on any failure or a refused photo. */
    private Optional<AvatarImages.Image> fetch(Route route) {
        VCard request = new VCard();
        request.setType(IQ.Type.get);
        request.setFrom(route.from());
        request.setTo(route.to());
        try {
            IQ answer = sender.request(request, timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (answer.getType() == IQ.Type.error) {
                LOG.debug("no vCard for {}: {}", route.to(), answer.getError() == null ? "error"
                        : answer.getError().getCondition());
                return Optional.empty();
            }
            if (!(answer instanceof VCard vcard)) {
                return Optional.empty();
            }
            AvatarImages.Extracted extracted = AvatarImages.fromVCard(vcard);
            extracted.refusal().filter(r -> r != AvatarImages.Refusal.NO_PHOTO)
                    .ifPresent(r -> LOG.info("avatar of {} not published: {}", route.to(), r));
            return extracted.image();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("vCard of {} not fetched: {}", route.to(), e.toString());
            return Optional.empty();
        }
    }

    /**
     * Serves a link: from the cache, else by fetching the person's vCard again (blocking, bounded by the
     * timeout and a small concurrency limit), and only if the avatar's SHA-1 is the one in the link.
     * Called on an HTTP worker thread.
     */
    public Served serve(String escapedJid, String sha1, String signature) {
        if (links.isEmpty()) {
            return new Served.Unavailable();
        }
        Optional<String> jid = links.get().verify(escapedJid, sha1, signature);
        if (jid.isEmpty()) {
            return new Served.NotFound();
        }
        Optional<AvatarImages.Image> cached = cache.get(sha1);
        if (cached.isPresent()) {
            return new Served.Found(cached.get());
        }
        UserRef person = UserRef.of(network, jid.get());
        Route route;
        synchronized (this) {
            State s = users.get(person);
            route = s == null ? null : s.route;
        }
        if (route == null) {
            route = defaultRoute.apply(person).orElse(null);
        }
        if (route == null) {
            return new Served.NotFound();
        }
        if (!serving.tryAcquire()) {
            return new Served.Unavailable();
        }
        try {
            Optional<AvatarImages.Image> fetched = fetch(route);
            if (fetched.isPresent() && fetched.get().sha1().equals(sha1)) {
                cache.put(fetched.get());
                return new Served.Found(fetched.get());
            }
            return new Served.NotFound();
        } finally {
            serving.release();
        }
    }

    /** Background vCard fetches started so far (diagnostics, tests: decided synchronously by observe/seen). */
    public long fetchesStarted() {
        return started.get();
    }

    /** Background vCard fetches finished so far, after their outcome was recorded and announced. */
    public long fetchesFinished() {
        return finished.get();
    }

    /** Total bytes held in the image cache (diagnostics, tests). */
    public long cachedBytes() {
        return cache.bytes();
    }

    @Override
    public void close() {
        fetcher.shutdownNow();
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Images by SHA-1, least recently used evicted first, bounded by their total size. */
    static final class ImageCache {
        private final long max;
        private final LinkedHashMap<String, AvatarImages.Image> images = new LinkedHashMap<>(64, 0.75f, true);
        private long total;

        ImageCache(long max) {
            this.max = max;
        }

        synchronized void put(AvatarImages.Image image) {
            if (image.bytes().length > max || images.containsKey(image.sha1())) {
                return;
            }
            images.put(image.sha1(), image);
            total += image.bytes().length;
            var it = images.entrySet().iterator();
            while (total > max && it.hasNext()) {
                var eldest = it.next();
                total -= eldest.getValue().bytes().length;
                it.remove();
            }
        }

        synchronized Optional<AvatarImages.Image> get(String sha1) {
            return Optional.ofNullable(images.get(sha1));
        }

        synchronized long bytes() {
            return total;
        }
    }
}
