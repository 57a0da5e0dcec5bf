package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;

/**
 * A query of one room's archive. Every condition narrows the set of matching messages; of the matches,
 * {@code limit} are returned, taken from the oldest end ({@link End#OLDEST}) or from the newest end
 * ({@link End#NEWEST}); the result is always in archive order (acceptance order, oldest first).
 *
 * @param start            only messages with {@code timestamp >= start}
 * @param end              only messages with {@code timestamp <= end}
 * @param author           only messages of this person
 * @param after            only messages archived after this one (exclusive); an id that is not in the room's
 *                         archive matches nothing
 * @param before           only messages archived before this one (exclusive); same rule
 * @param limit            1..{@link MessageArchive#MAX_QUERY_LIMIT}
 * @param includeRetracted whether tombstones of retracted messages are returned
 */
public record ArchiveQuery(RoomId room, Optional<Instant> start, Optional<Instant> end, Optional<UserRef> author,
                           Optional<BridgeMessageId> after, Optional<BridgeMessageId> before, int limit, End from,
                           boolean includeRetracted) {
    /** Which end of the matching messages the {@code limit} is taken from. */
    public enum End { OLDEST, NEWEST }

    public ArchiveQuery {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(from, "from");
        if (limit < 1 || limit > MessageArchive.MAX_QUERY_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MessageArchive.MAX_QUERY_LIMIT + ": " + limit);
        }
    }

    /** The newest {@code limit} messages of the room, tombstones left out. */
    public static ArchiveQuery newest(RoomId room, int limit) {
        return new ArchiveQuery(room, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), limit, End.NEWEST, false);
    }

    /** The oldest {@code limit} messages sent at or after {@code since}, tombstones left out. */
    public static ArchiveQuery since(RoomId room, Instant since, int limit) {
        return newest(room, limit).withStart(since).from(End.OLDEST);
    }

    public ArchiveQuery withStart(Instant value) {
        return new ArchiveQuery(room, Optional.of(value), end, author, after, before, limit, from, includeRetracted);
    }

    public ArchiveQuery withEnd(Instant value) {
        return new ArchiveQuery(room, start, Optional.of(value), author, after, before, limit, from, includeRetracted);
    }

    public ArchiveQuery withAuthor(UserRef value) {
        return new ArchiveQuery(room, start, end, Optional.of(value), after, before, limit, from, includeRetracted);
    }

    public ArchiveQuery after(BridgeMessageId value) {
        return new ArchiveQuery(room, start, end, author, Optional.of(value), before, limit, from, includeRetracted);
    }

    public ArchiveQuery before(BridgeMessageId value) {
        return new ArchiveQuery(room, start, end, author, after, Optional.of(value), limit, from, includeRetracted);
    }

    public ArchiveQuery limit(int value) {
        return new ArchiveQuery(room, start, end, author, after, before, value, from, includeRetracted);
    }

    public ArchiveQuery from(End value) {
        return new ArchiveQuery(room, start, end, author, after, before, limit, value, includeRetracted);
    }

    public ArchiveQuery includeRetracted(boolean value) {
        return new ArchiveQuery(room, start, end, author, after, before, limit, from, value);
    }
}
