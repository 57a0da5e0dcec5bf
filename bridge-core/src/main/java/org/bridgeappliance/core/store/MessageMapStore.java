package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;

/**
 * The message id map: which remote ids on which networks are copies of which canonical message.
 * It survives restarts, so edits, replies and retractions keep working after one.
 *
 * <p>Lookups are always scoped by portal, and by author where the protocol lets a client choose
 * ids: a second sender reusing an id must never reach the first sender's message.
 */
public interface MessageMapStore {

    /**
     * Records copies atomically. Idempotent per row: a mapping whose (network, room, author, remote id,
     * part) is already recorded for the <em>same</em> canonical message is skipped, so the router may record
     * a copy early (an adapter's {@link org.bridgeappliance.core.port.EarlyCopies} report, e.g. when the MUC
     * reflects it) and its own record of the receipt then adds only what is missing.
     *
     * @throws StoreConflictException if one of the keys is already recorded for a different canonical
     *     message (then nothing of the batch is recorded)
     */
    void record(List<MessageMapping> mappings);

    /** The canonical message that {@code author} sent, or that was delivered as them, under {@code remoteId} in {@code portal}. */
    Optional<BridgeMessageId> findByAuthor(Portal portal, UserRef author, RemoteMessageId remoteId);

    /** Every copy-part in {@code portal} with that remote id, whoever wrote it (replies, reactions, moderation). */
    List<MessageMapping> findInPortal(Portal portal, RemoteMessageId remoteId);

    /** Every copy of a canonical message on every network, parts in order. */
    List<MessageMapping> copies(BridgeMessageId messageId);

    /**
     * The bridged rooms where the bridge delivered copies written by {@code author} into a portal on
     * {@code network} (that is, where the author's puppet on that network spoke), as far as this store still
     * remembers (retention prunes old rows), at most {@code limit}, in no particular order. For the admin UI's
     * puppet view. The default knows none; the in-memory and database stores answer from their rows.
     */
    default List<RoomId> roomsWithCopiesBy(UserRef author, Network network, int limit) {
        return List.of();
    }
}
