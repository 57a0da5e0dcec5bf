package org.bridgeappliance.adapter.matrix.portal;

import java.net.URI;
import java.time.Clock;
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
 * Thread-safe; blocking (Client-Server calls).
 */
public final class GhostManager {
    private static final Logger LOG = LoggerFactory.getLogger(GhostManager.class);
    static final Network MATRIX = Network.of("matrix");

    private final MatrixClient client;
    private final GhostIdCodec codec;
    private final PuppetStore puppets;
    private final MediaFetcher media;
    private final Clock clock;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public GhostManager(MatrixClient client, GhostIdCodec codec, PuppetStore puppets, MediaFetcher media, Clock clock) {
        this.client = client;
        this.codec = codec;
        this.puppets = puppets;
        this.media = media;
        this.clock = clock;
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
     * Makes sure the ghost exists, for an event in a room: {@code profile} (a MUC nick, say) becomes
     * the global profile only for a ghost that has none yet; per-room names are the caller's
     * business. Changing a global display name rewrites the ghost's member event in every room it is
     * in, so letting per-room nicks flip it would flood all those rooms.
     */
    public String ensureForRoom(UserRef person, Profile profile) {
        return ensure(person, profile, false);
    }

    /** The global display name the ghost shows, if the bridge set one. */
    public Optional<String> globalName(UserRef person) {
        return puppets.find(person, MATRIX).flatMap(p -> p.profile().displayName());
    }

    private String ensure(UserRef person, Profile requested, boolean global) {
        String mxid = codec.ghostUserId(person);
        boolean created = false;
        if (!registered.contains(mxid)) {
            created = client.register(codec.localpartOf(mxid).orElseThrow());
            registered.add(mxid);
        }
        Optional<Puppet> known = puppets.find(person, MATRIX);
        Profile shown = known.map(Puppet::profile).orElse(Profile.EMPTY);
        Profile profile = global || known.isEmpty() || created ? requested : Profile.EMPTY;
        String name = profile.displayName().or(shown::displayName).orElseGet(() -> defaultName(person));
        // A ghost the homeserver did not have (first use, or its database was reset) gets its name again.
        boolean nameChanged = created || known.isEmpty() || !shown.displayName().equals(Optional.of(name));
        if (nameChanged) {
            client.setDisplayName(mxid, name);
        }
        Optional<URI> avatar = profile.avatar().or(shown::avatar);
        boolean avatarChanged = profile.avatar().isPresent() && !profile.avatar().equals(shown.avatar());
        if (avatarChanged) {
            try {
                client.setAvatarUrl(mxid, upload(profile.avatar().get(), mxid));
            } catch (Exception e) {
                // A missing avatar is cosmetic: keep bridging the message.
                LOG.info("could not set the avatar of {}: {}", mxid, e.toString());
                avatar = shown.avatar();
            }
        }
        if (nameChanged || avatarChanged) {
            puppets.save(new Puppet(person, MATRIX, RemoteUserId.of(mxid), new Profile(Optional.of(name), avatar),
                    clock.instant()));
        }
        return mxid;
    }

    /** Forgets that a ghost is registered (the homeserver lost it); the next {@link #ensure} registers again. */
    public void forget(String mxid) {
        registered.remove(mxid);
    }

    private String upload(URI avatar, String asUser) throws java.io.IOException {
        if ("mxc".equalsIgnoreCase(avatar.getScheme())) {
            return avatar.toString();
        }
        MediaFetcher.Content content = media.fetch(avatar);
        return client.upload(content.bytes(), content.contentType(), Optional.of("avatar"), asUser);
    }

    /** A readable name for someone without one: the id as their network writes it. */
    static String defaultName(UserRef person) {
        String id = person.user().value();
        return id.length() > 100 ? id.substring(0, 100) : id;
    }
}
