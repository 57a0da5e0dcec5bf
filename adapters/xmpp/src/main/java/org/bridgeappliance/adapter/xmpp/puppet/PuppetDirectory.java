package org.bridgeappliance.adapter.xmpp.puppet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarImages;
import org.bridgeappliance.adapter.xmpp.limits.Lru;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.net.UrlSafety;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.bridgeappliance.fetch.PinnedFetch;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The puppets of other networks' people on the component domain: their JIDs (through
 * {@link PuppetAddressing}), their records in the {@link PuppetStore}, their vCard-temp (XEP-0054)
 * with name and avatar, and the XEP-0153 photo hash their presence carries.
 *
 * <p>Avatars with an https URI on a public address are fetched in the background (at most
 * {@link #MAX_AVATAR_BYTES}, image types only) so deliveries never wait for them; other URIs (Matrix
 * {@code mxc:}, internal addresses) are left out of the vCard. The one exception is an explicit
 * allow-list of trusted URL prefixes ({@code bridge.xmpp.avatar-trusted-url-prefixes}, e.g. the
 * appliance's own re-hosted Matrix media links): a URI whose normalized string starts with one of them is
 * fetched even over http or on a private/loopback address (still no redirects, same size and type
 * limits). Thread-safe.
 *
 * <p>DNS rebinding (issue 9 item 5): the host is resolved once, {@link UrlSafety#checkHop} checks every address,
 * and the request goes to exactly those ({@link PinnedFetch}), so a name that answers a public address to the
 * check and 169.254.169.254 or loopback a moment later never reaches the second. One deadline
 * ({@link #AVATAR_FETCH_TIMEOUT}) covers connect, headers and body, so a server dripping its body cannot hold
 * the one fetcher thread longer.
 *
 * <p>Bounded: profiles are cached for {@code bridge.xmpp.max-tracked-users} people (the store has the rest),
 * avatars for {@code bridge.xmpp.max-cached-avatars} URIs (an evicted one is fetched again at its next use), and
 * at most {@link #FETCH_QUEUE} fetches wait (more are skipped and tried at the next use).
 */
public final class PuppetDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(PuppetDirectory.class);
    /** The largest puppet avatar fetched: the limit for XMPP users' avatars ({@link AvatarImages#MAX_BYTES}). */
    public static final int MAX_AVATAR_BYTES = AvatarImages.MAX_BYTES;
    public static final String VCARD_UPDATE_NS = "vcard-temp:x:update";
    static final String PREFIXES_KEY = "bridge.xmpp.avatar-trusted-url-prefixes";
    /** The deadline of one whole avatar fetch (connect, headers and body). */
    static final Duration AVATAR_FETCH_TIMEOUT = Duration.ofSeconds(10);
    /** Avatar fetches waiting for the fetcher thread. */
    static final int FETCH_QUEUE = 64;

    /** A fetched avatar. */
    public record Avatar(byte[] bytes, String mimeType, String sha1) {
    }

    private final PuppetAddressing addressing;
    private final PuppetStore store;
    private final Network network;
    private final Clock clock;
    private final Lru<UserRef, Profile> saved;
    private final Lru<URI, Avatar> avatars;
    private final Map<URI, Boolean> fetching = new ConcurrentHashMap<>();
    private final ExecutorService fetcher;
    private final PinnedFetch http = new PinnedFetch("xmpp-avatar-deadline");
    private final UrlSafety urlSafety;
    private final UrlSafety.Resolver resolver;
    private final Duration fetchTimeout;

    public PuppetDirectory(PuppetAddressing addressing, PuppetStore store, Network network, Clock clock) {
        this(addressing, store, network, clock, List.of());
    }

    /**
     * @param trustedUrlPrefixes absolute http(s) URL prefixes whose avatars are fetched even if http or on an
     *     internal address (see {@link #prefixProblems(List)})
     * @throws IllegalArgumentException if a prefix is not an absolute http(s) URL with a host
     */
    public PuppetDirectory(PuppetAddressing addressing, PuppetStore store, Network network, Clock clock,
            List<String> trustedUrlPrefixes) {
        this(addressing, store, network, clock, trustedUrlPrefixes, XmppLimits.defaults());
    }

    /**
     * @param limits {@code max-tracked-users} bounds the profile cache, {@code max-cached-avatars} the avatar cache
     * @throws IllegalArgumentException if a prefix is not an absolute http(s) URL with a host
     */
    public PuppetDirectory(PuppetAddressing addressing, PuppetStore store, Network network, Clock clock,
            List<String> trustedUrlPrefixes, XmppLimits limits) {
        this(addressing, store, network, clock, trustedUrlPrefixes, limits, InetAddress::getAllByName,
                AVATAR_FETCH_TIMEOUT);
    }

    /** For tests: {@code resolver} stands in for DNS, {@code fetchTimeout} for {@link #AVATAR_FETCH_TIMEOUT}. */
    PuppetDirectory(PuppetAddressing addressing, PuppetStore store, Network network, Clock clock,
            List<String> trustedUrlPrefixes, XmppLimits limits, UrlSafety.Resolver resolver, Duration fetchTimeout) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.fetchTimeout = Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        this.saved = new Lru<>(limits.maxTrackedUsers());
        this.avatars = new Lru<>(limits.maxCachedAvatars());
        this.urlSafety = UrlSafety.withTrustedPrefixes(PREFIXES_KEY, trustedUrlPrefixes);
        this.addressing = Objects.requireNonNull(addressing, "addressing");
        this.store = Objects.requireNonNull(store, "store");
        this.network = Objects.requireNonNull(network, "network");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fetcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(FETCH_QUEUE), r -> {
            Thread t = new Thread(r, "xmpp-avatar-fetch");
            t.setDaemon(true);
            return t;
        });
    }

    public PuppetAddressing addressing() {
        return addressing;
    }

    /**
     * The puppet JID of {@code person}, recording the puppet (and a changed profile) in the store.
     *
     * @throws IllegalArgumentException if the person cannot be addressed on XMPP
     */
    public EntityBareJid ensure(UserRef person, Profile profile) {
        EntityBareJid jid = addressing.puppetJid(person);
        Profile known = saved.get(person);
        if (known == null) {
            known = store.find(person, network).map(Puppet::profile).orElse(null);
        }
        Profile effective = profile.equals(Profile.EMPTY) && known != null ? known : profile;
        if (known == null || !effective.equals(known)) {
            try {
                store.save(new Puppet(person, network, RemoteUserId.of(jid.toString()), effective, clock.instant()));
            } catch (RuntimeException e) {
                // The puppet still works without its record; the admin UI just does not list it yet.
                LOG.warn("could not record puppet {}: {}", jid, e.toString());
            }
        }
        saved.put(person, effective);
        effective.avatar().ifPresent(this::fetchAvatar);
        return jid;
    }

    /** The person a JID on the component stands for. */
    public Optional<UserRef> person(Jid jid) {
        return addressing.person(jid);
    }

    /** The last known profile of a puppet. */
    public Profile profile(UserRef person) {
        Profile p = saved.get(person);
        if (p != null) {
            return p;
        }
        return store.find(person, network).map(Puppet::profile).orElse(Profile.EMPTY);
    }

    /** A display name: the profile's, or one derived from the id (the Matrix localpart). */
    public static String displayName(UserRef person, Profile profile) {
        return profile.displayName().orElseGet(() -> {
            String id = person.user().value();
            if (id.startsWith("@") && id.indexOf(':') > 1) {
                return id.substring(1, id.indexOf(':'));
            }
            return id;
        });
    }

    /** The vCard-temp (XEP-0054) of a puppet, for an IQ result. */
    public VCard vcard(UserRef person) {
        Profile profile = profile(person);
        VCard vcard = new VCard();
        String name = displayName(person, profile);
        vcard.setField("FN", name);
        vcard.setNickName(name);
        profileUrl(person.user().value()).ifPresent(url -> vcard.setField("URL", url));
        avatar(profile).ifPresent(a -> vcard.setAvatar(a.bytes(), a.mimeType()));
        return vcard;
    }

    /**
     * A link to the person on their own network for the vCard's URL: a matrix.to permalink for a Matrix-form id
     * ({@code @user:server}), the id itself when it is already a URI ({@code sip:erin@sip.test}), none otherwise.
     */
    static java.util.Optional<String> profileUrl(String id) {
        if (id.startsWith("@") && id.indexOf(':') > 1) {
            return java.util.Optional.of("https://matrix.to/#/" + id);
        }
        int colon = id.indexOf(':');
        if (colon > 0 && id.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return java.util.Optional.of(id);
        }
        return java.util.Optional.empty();
    }

    /** The XEP-0153 {@code <x xmlns='vcard-temp:x:update'>} for a puppet's presence. */
    public StandardExtensionElement photoUpdate(UserRef person) {
        var x = StandardExtensionElement.builder("x", VCARD_UPDATE_NS);
        avatar(profile(person)).ifPresentOrElse(
                a -> x.addElement(StandardExtensionElement.builder("photo", VCARD_UPDATE_NS).setText(a.sha1()).build()),
                () -> x.addElement(StandardExtensionElement.builder("photo", VCARD_UPDATE_NS).build()));
        return x.build();
    }

    private Optional<Avatar> avatar(Profile profile) {
        return profile.avatar().map(avatars::get);
    }

    private void fetchAvatar(URI uri) {
        String scheme = uri.getScheme();
        boolean trusted = isTrusted(uri);
        if (scheme == null || !(scheme.equals("https") || trusted) || uri.getHost() == null
                || avatars.containsKey(uri) || fetching.putIfAbsent(uri, Boolean.TRUE) != null) {
            return;
        }
        try {
            fetcher.execute(() -> fetch(uri));
        } catch (RejectedExecutionException e) {
            fetching.remove(uri); // the queue is full: tried again at the next use of this profile
            LOG.debug("avatar {} not fetched now: {} fetches waiting", uri, FETCH_QUEUE);
        }
    }

    private void fetch(URI uri) {
        try {
            // A profile must not make the bridge fetch (and show XMPP users) internal resources: outside the
            // trusted prefixes only public addresses, and the connection goes to exactly the checked ones. A
            // trusted link is requested in the canonical form that was matched, nothing else.
            UrlSafety.Hop hop = urlSafety.checkHop(uri, false, resolver);
            // No redirects: a 3xx is simply not an avatar (its target would need a check of its own).
            PinnedFetch.Response response = http.get(hop, System.nanoTime() + fetchTimeout.toNanos(), MAX_AVATAR_BYTES);
            String type = response.contentType() == null ? "" : response.contentType();
            if (response.status() != 200 || !type.startsWith("image/")) {
                LOG.debug("avatar {} not used: HTTP {}, type {}", uri, response.status(), type);
                return;
            }
            byte[] bytes = response.body();
            avatars.put(uri, new Avatar(bytes, type.split(";")[0].trim(), AvatarImages.sha1Hex(bytes)));
        } catch (IOException | RuntimeException e) {
            LOG.info("avatar {} not fetched: {}", uri, e.toString());
        } finally {
            fetching.remove(uri);
        }
    }

    /** Whether {@code uri} is under one of the trusted prefixes ({@link UrlSafety#isTrusted}). */
    boolean isTrusted(URI uri) {
        return urlSafety.isTrusted(uri);
    }

    /**
     * The problems of a trusted-prefix list, one per line (empty if none); see
     * {@link UrlSafety#prefixProblems(String, List)}.
     */
    public static String prefixProblems(List<String> prefixes) {
        return UrlSafety.prefixProblems(PREFIXES_KEY, prefixes);
    }

    /** Profiles held in memory (tests: within {@code max-tracked-users}). */
    int cachedProfiles() {
        return saved.size();
    }

    /** Stops the background fetcher. */
    public void close() {
        fetcher.shutdownNow();
    }
}
