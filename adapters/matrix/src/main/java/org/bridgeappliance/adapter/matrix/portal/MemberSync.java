package org.bridgeappliance.adapter.matrix.portal;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.bridgeappliance.adapter.matrix.convert.MatrixInboundConverter;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.RoomDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces the people already in a Matrix room when it becomes a portal: the other networks only
 * learn of a Matrix member from her {@code m.room.member} events, so someone who joined before an
 * admin mapped the room would otherwise stay invisible on XMPP until she speaks.
 *
 * <p>How it learns of new portals: mappings are written by the admin API (and by the portal
 * coordinator for gateway rooms) straight into the {@link RoomDirectory}, which has no change
 * notification, so {@link #tick} re-reads the directory every {@code rescan} (as the XMPP adapter
 * does for its MUCs). A Matrix room that newly appears in an enabled mapping (created, a Matrix
 * portal added, or the mapping re-enabled: the XMPP side leaves disabled rooms) is queued; rooms the
 * bridge created itself in this run (gateway rooms, DMs: {@link PortalManager#isCreatedByBridge}) start
 * empty and are only marked as seen. For a queued room the bot joins (plumbed rooms invite it;
 * public ones let it in), reads {@code GET /rooms/{id}/joined_members} (CS API; needs one of the
 * AS's users in the room) and submits one canonical JOIN per joined member who is not the bot or a
 * ghost, sender = subject = the member, profile = her room display name and avatar. At most
 * {@code maxMembers} per room, the first by user id (logged when cut); the rest appear when they
 * speak or change membership, as before.
 *
 * <p>At start-up (decided deliberately, {@code onStart}, default on): every mapped room is announced
 * again. Why: the XMPP adapter sends every puppet's leave when the appliance stops and keeps MUC
 * occupants in memory only, and Synapse's replay of missed AS transactions carries only what changed
 * during the downtime; without this, after each restart every Matrix member who does not speak is
 * missing from the MUC, the very bug this class fixes. Why it does not storm: one room at a time on
 * one scheduled task ({@code tick} every {@code pause}, so at most 1/pause joined_members calls per
 * second, where Bifrost's RoomSync allows 8 concurrent), one cheap GET per room (Synapse answers it
 * from its room-member cache), at most {@code maxMembers} JOINs per room, and only while the
 * homeserver answers. 1,000 rooms at the default 250 ms take about 4 minutes to trickle through. The
 * JOINs are idempotent downstream: the XMPP side treats a JOIN of a puppet already present as a
 * no-op, and the router treats them like any membership event (one queued delivery each). A room
 * whose announcement failed is retried (30 s after a transient error, 10 min after the bot was refused;
 * at once when the bot joins it later). Large installations can turn the start-up pass off.
 *
 * <p>Known race: a member who leaves between our GET and the JOIN's delivery may reappear until her
 * next membership change (the leave and our JOIN are both queued for the room, ours possibly last).
 *
 * <p>Threading: {@link #started} once, then {@link #tick} from one scheduled task at a time;
 * {@link #wake} from any thread. Blocking (Client-Server calls, ingress).
 */
public final class MemberSync {
    private static final Logger LOG = LoggerFactory.getLogger(MemberSync.class);
    static final Duration TRANSIENT_RETRY = Duration.ofSeconds(30);
    static final Duration REFUSED_RETRY = Duration.ofMinutes(10);

    /**
     * @param onStart    announce every room mapped at start-up too (see the class comment)
     * @param maxMembers JOINs per room at most; 0 turns the member sync off
     * @param rescan     how often the room directory is read for new Matrix portals
     */
    public record Settings(boolean onStart, int maxMembers, Duration rescan) {
        public Settings {
            Objects.requireNonNull(rescan, "rescan");
            if (maxMembers < 0) {
                throw new IllegalArgumentException("maxMembers must not be negative: " + maxMembers);
            }
        }
    }

    private final MatrixClient client;
    private final GhostIdCodec codec;
    private final PortalManager portals;
    private final RoomDirectory rooms;
    private final EventIngress ingress;
    private final Function<String, Optional<URI>> avatarLink;
    private final Clock clock;
    private final LongSupplier nanos;
    private final Settings settings;
    private final Network network = Network.of(MatrixInboundConverter.NETWORK);

    /** Rooms announced since they became mapped (confined to the tick task). */
    private final Set<String> announced = new java.util.HashSet<>();
    /** Rooms waiting for their announcement, with the nanoTime they are due (guarded by itself). */
    private final Map<String, Long> pending = new LinkedHashMap<>();
    private boolean scanned;
    private long nextScan;

    /**
     * @param avatarLink the public link other networks fetch an {@code mxc:} avatar from, if it is a valid one
     * @param nanos      a monotonic clock in nanoseconds ({@link System#nanoTime} outside tests)
     */
    public MemberSync(MatrixClient client, GhostIdCodec codec, PortalManager portals, RoomDirectory rooms,
                      EventIngress ingress, Function<String, Optional<URI>> avatarLink, Clock clock,
                      LongSupplier nanos, Settings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.portals = Objects.requireNonNull(portals, "portals");
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.avatarLink = Objects.requireNonNull(avatarLink, "avatarLink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Call once when the adapter starts, before the first {@link #tick}: the rooms mapped at this
     * moment make up the start-up pass, which {@code onStart = false} skips.
     */
    public void started() {
        if (!settings.onStart()) {
            announced.addAll(mappedRooms());
        }
    }

    /**
     * One step: re-reads the room directory when due, then announces at most one pending room. Call
     * it periodically (every {@code pause}) while the homeserver is reachable.
     */
    public void tick() {
        if (settings.maxMembers() == 0) {
            return;
        }
        long now = nanos.getAsLong();
        if (!scanned || now - nextScan >= 0) {
            scan();
            nextScan = now + settings.rescan().toNanos();
        }
        String room = nextDue(now);
        if (room != null) {
            announceRoom(room, now);
        }
    }

    /** The bot has just joined {@code roomId}: if its announcement is waiting for that, it is due now. */
    public void wake(String roomId) {
        synchronized (pending) {
            pending.computeIfPresent(roomId, (r, due) -> nanos.getAsLong());
        }
    }

    /** How many rooms wait for their announcement (for tests and diagnostics). */
    public int pendingCount() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private Set<String> mappedRooms() {
        Set<String> mapped = new java.util.LinkedHashSet<>();
        for (BridgedRoom room : rooms.all()) {
            if (room.enabled()) {
                room.portalOn(network).map(p -> p.room().value()).ifPresent(mapped::add);
            }
        }
        return mapped;
    }

    private void scan() {
        Set<String> mapped = mappedRooms();
        boolean first = !scanned;
        scanned = true;
        announced.retainAll(mapped);
        synchronized (pending) {
            pending.keySet().retainAll(mapped);
            for (String room : mapped) {
                if (announced.contains(room) || pending.containsKey(room)) {
                    continue;
                }
                if (portals.isCreatedByBridge(room)) {
                    announced.add(room); // nobody to announce (see the class comment)
                } else {
                    pending.put(room, nanos.getAsLong());
                }
            }
        }
        if (first) {
            LOG.info("member sync: {} mapped Matrix rooms, {} to announce", mapped.size(), pendingCount());
        }
    }

    private String nextDue(long now) {
        synchronized (pending) {
            for (Map.Entry<String, Long> e : pending.entrySet()) {
                if (now - e.getValue() >= 0) {
                    return e.getKey();
                }
            }
            return null;
        }
    }

    private void announceRoom(String roomId, long now) {
        try {
            portals.ensureBotJoined(roomId);
            int submitted = announce(roomId);
            LOG.debug("announced {} members of {}", submitted, roomId);
            synchronized (pending) {
                pending.remove(roomId);
            }
            announced.add(roomId);
        } catch (PermanentDeliveryException e) {
            retryLater(roomId, now, REFUSED_RETRY, e.getMessage());
        } catch (MatrixHttpException e) {
            retryLater(roomId, now, e.isTransient() ? TRANSIENT_RETRY : REFUSED_RETRY, e.getMessage());
        } catch (IngressUnavailableException e) {
            retryLater(roomId, now, TRANSIENT_RETRY, e.getMessage());
        }
    }

    private void retryLater(String roomId, long now, Duration after, String why) {
        LOG.warn("could not announce the members of {} (retrying in {} s): {}", roomId, after.toSeconds(), why);
        synchronized (pending) {
            // Re-inserted at the end: one failing room does not hold up the others.
            if (pending.remove(roomId) != null) {
                pending.put(roomId, now + after.toNanos());
            }
        }
    }

    /**
     * Reads the room's joined members as the bot and submits a JOIN for each one the bridge does not
     * speak for, at most {@code maxMembers}.
     *
     * @return how many JOINs were submitted
     * @throws MatrixHttpException         if the homeserver does not answer or refuses
     * @throws IngressUnavailableException if the router cannot queue them (the room is retried whole:
     *                                     JOINs of members already announced are no-ops downstream)
     */
    int announce(String roomId) {
        JsonNode joined = client.joinedMembers(roomId, null);
        if (!joined.isObject()) {
            return 0;
        }
        List<String> members = new ArrayList<>();
        for (Iterator<String> it = joined.fieldNames(); it.hasNext(); ) {
            String userId = it.next();
            if (MatrixInboundConverter.validUserId(userId) && !codec.isBridgeUser(userId)) {
                members.add(userId);
            }
        }
        members.sort(null); // deterministic: the same members are announced on every pass
        if (members.size() > settings.maxMembers()) {
            LOG.info("{} has {} members: announcing the first {} (bridge.matrix.member-sync-max-members); the"
                    + " others appear when they speak or change membership", roomId, members.size(),
                    settings.maxMembers());
            members = members.subList(0, settings.maxMembers());
        }
        Portal origin = new Portal(network, RemoteRoomId.of(roomId));
        Instant now = clock.instant();
        int submitted = 0;
        for (String userId : members) {
            JsonNode m = joined.path(userId);
            Profile profile = new Profile(Json.string(m, "display_name"),
                    Json.string(m, "avatar_url").flatMap(avatarLink));
            UserRef member = UserRef.of(MatrixInboundConverter.NETWORK, userId);
            Acceptance a = ingress.submit(new MembershipEvent(new EventMeta(origin, member, profile,
                    Optional.empty(), now), member, MembershipEvent.Membership.JOIN, Optional.empty()));
            if (a == Acceptance.NOT_BRIDGED) {
                LOG.info("{} is no longer bridged; stopped announcing its members", roomId);
                break;
            }
            submitted++;
        }
        return submitted;
    }
}
