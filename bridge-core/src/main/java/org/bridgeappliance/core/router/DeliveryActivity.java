package org.bridgeappliance.core.router;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;

/**
 * What the router delivered recently, for the admin dashboard and the room list: room events delivered per minute
 * per network pair (origin → target), failures and retries per minute, over the last {@value #MINUTES} minutes;
 * and per bridged room the last delivery and the last failure. Kept in memory only (a restart starts from zero);
 * bounded: {@value #MINUTES} counters per network pair, and the {@value #MAX_ROOMS} rooms that delivered or failed
 * most recently (a room beyond that, quiet the longest, is forgotten and shows nothing until its next delivery).
 *
 * <p>Thread-safe; updated by the delivery threads, read by the admin API. Times come from the router's clock.
 */
public final class DeliveryActivity {
    /** How many minutes the per-minute series cover. */
    public static final int MINUTES = 60;
    /** How many rooms' last delivery and failure are kept. */
    public static final int MAX_ROOMS = 100_000;
    private static final int MAX_REASON = 500;

    private final Map<Pair, Series> delivered = new HashMap<>();
    private final Series failed = new Series();
    private final Series retried = new Series();
    /** Least recently updated first; guarded by itself. */
    private final Map<RoomId, RoomActivity> rooms = new java.util.LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RoomId, RoomActivity> eldest) {
            return size() > MAX_ROOMS;
        }
    };

    /** A direction of bridging: events from {@code from}'s portals delivered to {@code to}'s. */
    public record Pair(Network from, Network to) {
        public Pair {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * Per-minute counts, oldest first: {@code counts[MINUTES - 1]} is the minute containing {@code until}.
     *
     * @param until the instant the series was read at
     */
    public record PerMinute(Instant until, List<Long> counts) {
        public PerMinute {
            Objects.requireNonNull(until, "until");
            counts = List.copyOf(counts);
        }

        public long total() {
            return counts.stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A failure of one delivery: when, to which portal, and why (the router's words, for the admin). */
    public record Failure(Instant at, Portal target, String reason) {
        public Failure {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** One room's last delivery (to any of its portals) and last failure, when there were any since the start. */
    public record RoomActivity(Optional<Instant> lastDelivery, Optional<Failure> lastFailure) {
        static final RoomActivity NONE = new RoomActivity(Optional.empty(), Optional.empty());
    }

    /** Counts one room event delivered to {@code target} of {@code room}, which came from a portal on {@code from}. */
    public void delivered(RoomId room, Network from, Portal target, Instant at) {
        Series series;
        synchronized (delivered) {
            series = delivered.computeIfAbsent(new Pair(from, target.network()), p -> new Series());
        }
        series.add(at);
        synchronized (rooms) {
            RoomActivity old = rooms.remove(room); // re-inserted: the map's order is the order of updates
            rooms.put(room, new RoomActivity(Optional.of(at), (old == null ? RoomActivity.NONE : old).lastFailure()));
        }
    }

    /** Counts a delivery given up (after its last attempt, rejected, or reported failed later by the adapter). */
    public void failed(RoomId room, Portal target, String reason, Instant at) {
        failed.add(at);
        String shortReason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason;
        synchronized (rooms) {
            RoomActivity old = rooms.remove(room);
            rooms.put(room, new RoomActivity((old == null ? RoomActivity.NONE : old).lastDelivery(),
                    Optional.of(new Failure(at, target, shortReason))));
        }
    }

    /** Counts one try repeated after a transient failure. */
    public void retried(Instant at) {
        retried.add(at);
    }

    /** Deliveries per minute for every network pair that delivered anything since the start, sorted by pair. */
    public Map<Pair, PerMinute> deliveredPerMinute(Instant now) {
        List<Map.Entry<Pair, Series>> entries;
        synchronized (delivered) {
            entries = new ArrayList<>(delivered.entrySet());
        }
        entries.sort(Map.Entry.comparingByKey(Comparator.comparing((Pair p) -> p.from().value())
                .thenComparing(p -> p.to().value())));
        Map<Pair, PerMinute> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<Pair, Series> e : entries) {
            out.put(e.getKey(), e.getValue().read(now));
        }
        return out;
    }

    public PerMinute failedPerMinute(Instant now) {
        return failed.read(now);
    }

    public PerMinute retriedPerMinute(Instant now) {
        return retried.read(now);
    }

    /** The room's last delivery and failure since the start (both empty when it had none). */
    public RoomActivity room(RoomId room) {
        synchronized (rooms) {
            return rooms.getOrDefault(room, RoomActivity.NONE);
        }
    }

    /** A ring of {@link #MINUTES} per-minute counters, each tagged with the minute it counts. */
    private static final class Series {
        private final long[] minute = new long[MINUTES];
        private final long[] count = new long[MINUTES];

        synchronized void add(Instant at) {
            long m = Math.floorDiv(at.getEpochSecond(), 60);
            int slot = (int) Math.floorMod(m, MINUTES);
            if (minute[slot] != m) {
                minute[slot] = m;
                count[slot] = 0;
            }
            count[slot]++;
        }

        synchronized PerMinute read(Instant now) {
            long current = Math.floorDiv(now.getEpochSecond(), 60);
            List<Long> counts = new ArrayList<>(MINUTES);
            for (long m = current - MINUTES + 1; m <= current; m++) {
                int slot = (int) Math.floorMod(m, MINUTES);
                counts.add(minute[slot] == m ? count[slot] : 0L);
            }
            return new PerMinute(now, counts);
        }
    }
}
