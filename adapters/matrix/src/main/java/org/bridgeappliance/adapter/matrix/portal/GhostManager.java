package org.bridgeappliance.adapter.matrix.portal;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ghosts: the Matrix users that stand for people of other networks. Registers them on demand
 * ({@code m.login.application_service}; {@code M_USER_IN_USE} means it exists), keeps their display
 * name and avatar in step with what the person shows, and records them in the puppet store.
 * Thread-safe (calls for one ghost are serialised); blocking (Client-Server calls, avatar fetches).
 *
 * <p>Avatars: the puppet store records the avatar URI a ghost shows, so an unchanged URI costs
 * nothing. Each distinct URI is fetched and uploaded once (an in-memory cache maps it to its
 * {@code mxc:} URI; links from other networks are content-addressed, so a new image means a new URI).
 * A fetch that fails is logged and tried again on a later event after a per-URI backoff (30 s,
 * doubling up to 10 min), not on every message of a busy room.
 */
public final class GhostManager {
    private static final Logger LOG = LoggerFactory.getLogger(GhostManager.class);
    static final Network MATRIX = Network.of("matrix");
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(30);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    private static final int CACHE_SIZE = 10_000;

    /**
     * Told after a ghost's global display name or avatar changed on the homeserver. The homeserver
     * then rewrites the ghost's {@code m.room.member} event in every room it is in with the global
     * profile, which wipes per-room names: the listener puts them back.
     */
    @FunctionalInterface
    public interface ProfileListener {
        /**
         * Called on the thread that changed the profile, while no other call for this ghost runs; must
         * not throw and should not take long.
         *
         * @param avatarMxc the ghost's avatar as an {@code mxc:} URI, when known here
         */
        void globalProfileChanged(String ghost, String displayName, Optional<String> avatarMxc);
    }

    private record Failure(int count, Instant retryAt) {
    }

    private final MatrixClient client;
    private final GhostIdCodec codec;
    private final PuppetStore puppets;
    private final MediaFetcher media;
    private final Clock clock;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Map<URI, String> uploaded = lru();
    private final Map<URI, Failure> failures = lru();
    /** The mxc: avatar each ghost shows, when this process set or uploaded it. */
    private final Map<String, String> avatarMxcs = lru();
    /** One lock per ghost (as many as {@code registered} holds names): a slow avatar fetch holds up only its ghost. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private volatile ProfileListener listener = (ghost, name, avatar) -> { };

    public GhostManager(MatrixClient client, GhostIdCodec codec, PuppetStore puppets, MediaFetcher media, Clock clock) {
        this.client = client;
        this.codec = codec;
        this.puppets = puppets;
        this.media = media;
        this.clock = clock;
    }

    /** Sets the one listener told about global profile changes (the deliverer, which knows per-room names). */
    public void onGlobalProfileChange(ProfileListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Makes sure {@code person}'s ghost exists and shows {@code profile} as its global profile (an
     * empty profile keeps what the ghost already shows). For profiles that are not room-specific:
     * presence, DMs, user queries. Returns the ghost's MXID.
     *
     * @throws IllegalArgumentException if the person cannot have a ghost (network without namespace)
     */
    public String ensure(UserRef person, Profile profile) {
        return ensure(person, profile, true);
    }

    /**
     * Makes sure the ghost exists, for an event in a room: {@code profile}'s display name (a MUC nick,
     * say) becomes the global name only for a ghost that has none yet; per-room names are the caller's
     * business. Changing a global display name rewrites the ghost's member event in every room it is
     * in, so letting per-room nicks flip it would flood all those rooms. The avatar is applied
     * globally: it is not per room (XEP-0045 has no per-room avatar; XEP-0153/XEP-0084 avatars belong
     * to the account), and the URI is content-addressed, so it changes only with the image.
     */
    public String ensureForRoom(UserRef person, Profile profile) {
        return ensure(person, profile, false);
    }

    /** The global display name the ghost shows, if the bridge set one. */
    public Optional<String> globalName(UserRef person) {
        return puppets.find(person, MATRIX).flatMap(p -> p.profile().displayName());
    }

    /** The ghost's avatar as an {@code mxc:} URI, if this process set it (else ask the homeserver). */
    public Optional<String> knownAvatar(String ghost) {
        return Optional.ofNullable(avatarMxcs.get(ghost));
    }

    private String ensure(UserRef person, Profile requested, boolean global) {
        String mxid = codec.ghostUserId(person);
        synchronized (locks.computeIfAbsent(mxid, k -> new Object())) {
            return ensureLocked(person, mxid, requested, global);
        }
    }

    private String ensureLocked(UserRef person, String mxid, Profile requested, boolean global) {
        boolean created = false;
        if (!registered.contains(mxid)) {
            created = client.register(codec.localpartOf(mxid).orElseThrow());
            registered.add(mxid);
        }
        Optional<Puppet> known = puppets.find(person, MATRIX);
        Profile shown = known.map(Puppet::profile).orElse(Profile.EMPTY);
        // A ghost the homeserver did not have (first use, or its database was reset) gets its profile again.
        boolean fresh = created || known.isEmpty();
        Optional<String> requestedName = global || fresh ? requested.displayName() : Optional.empty();
        String name = requestedName.or(shown::displayName).orElseGet(() -> defaultName(person));
        boolean nameChanged = fresh || !shown.displayName().equals(Optional.of(name));
        if (nameChanged) {
            client.setDisplayName(mxid, name);
        }
        Optional<URI> avatar = shown.avatar();
        Optional<URI> wanted = requested.avatar().isPresent() || !created ? requested.avatar() : shown.avatar();
        Optional<String> mxc = Optional.empty();
        if (wanted.isPresent() && (created || !wanted.equals(shown.avatar())) && mayTry(wanted.get())) {
            mxc = setAvatar(mxid, wanted.get());
            if (mxc.isPresent()) {
                avatar = wanted;
            }
        }
        boolean avatarChanged = mxc.isPresent();
        if (nameChanged || avatarChanged) {
            puppets.save(new Puppet(person, MATRIX, RemoteUserId.of(mxid), new Profile(Optional.of(name), avatar),
                    clock.instant()));
            if (known.isPresent()) { // a brand-new ghost has no per-room names to restore
                try {
                    listener.globalProfileChanged(mxid, name, mxc.or(() -> knownAvatar(mxid)));
                } catch (RuntimeException e) {
                    LOG.warn("profile listener failed for {}: {}", mxid, e.toString());
                }
            }
        }
        return mxid;
    }

    /** Fetches, uploads (once per URI) and sets the avatar; empty if that failed (logged, backed off). */
    private Optional<String> setAvatar(String mxid, URI avatar) {
        try {
            String mxc = uploaded.get(avatar);
            if (mxc == null) {
                mxc = upload(avatar, mxid);
                uploaded.put(avatar, mxc);
            }
            client.setAvatarUrl(mxid, mxc);
            failures.remove(avatar);
            avatarMxcs.put(mxid, mxc);
            return Optional.of(mxc);
        } catch (Exception e) {
            // A missing avatar is cosmetic: keep bridging the message, try again later.
            Failure before = failures.get(avatar);
            int count = before == null ? 1 : before.count() + 1;
            Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(count - 1, 10));
            if (wait.compareTo(MAX_BACKOFF) > 0) {
                wait = MAX_BACKOFF;
            }
            failures.put(avatar, new Failure(count, clock.instant().plus(wait)));
            LOG.info("could not set the avatar of {} from {} (attempt {}; next try in {} s): {}", mxid,
                    forLog(avatar), count, wait.toSeconds(), e.toString());
            return Optional.empty();
        }
    }

    private boolean mayTry(URI avatar) {
        Failure f = failures.get(avatar);
        return f == null || !clock.instant().isBefore(f.retryAt());
    }

    /** Forgets that a ghost is registered (the homeserver lost it); the next {@link #ensure} registers again. */
    public void forget(String mxid) {
        registered.remove(mxid);
    }

    private String upload(URI avatar, String asUser) throws java.io.IOException {
        return avatarMxc(client, media, avatar, asUser);
    }

    /**
     * The mxc URI to show {@code avatar} with (a ghost's or a room's): an mxc URI as it is, anything else fetched
     * through {@code media} and uploaded as {@code asUser}.
     */
    static String avatarMxc(MatrixClient client, MediaFetcher media, URI avatar, String asUser)
            throws java.io.IOException {
        if ("mxc".equalsIgnoreCase(avatar.getScheme())) {
            return avatar.toString();
        }
        MediaFetcher.Content content = media.fetch(avatar);
        return client.upload(content.bytes(), content.contentType(), Optional.of("avatar"), asUser);
    }

    /** The URI without query and last path segment: avatar links end in a signature, which logs need not keep. */
    static String forLog(URI uri) {
        if (uri.isOpaque() || uri.getRawPath() == null) {
            return uri.getScheme() + ":…";
        }
        String path = uri.getRawPath();
        int slash = path.lastIndexOf('/');
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (slash < 0 ? "/" : path.substring(0, slash + 1)) + "…";
    }

    /** A readable name for someone without one: the id as their network writes it. */
    static String defaultName(UserRef person) {
        String id = person.user().value();
        return id.length() > 100 ? id.substring(0, 100) : id;
    }

    private static <K, V> Map<K, V> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CACHE_SIZE;
            }
        });
    }
}
