package org.bridgeappliance.core.router;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EarlyCopies;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.UnitOfWork;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * The one writer of delivered copies in the message map: the router's record of a receipt
 * ({@link DeliveryJob}) and an adapter's early report of a copy ({@link EarlyCopies}) both go through
 * {@link #record}. The store skips rows already recorded for the same message, so the two meet without conflict.
 */
final class CopyRecorder implements EarlyCopies {
    private static final System.Logger LOG = System.getLogger(CopyRecorder.class.getName());

    private final MessageMapStore messages;
    private final UnitOfWork unitOfWork;
    private final Clock clock;

    CopyRecorder(MessageMapStore messages, UnitOfWork unitOfWork, Clock clock) {
        this.messages = Objects.requireNonNull(messages, "messages");
        this.unitOfWork = Objects.requireNonNull(unitOfWork, "unitOfWork");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void known(Delivery delivery, RemoteMessageId remoteId) {
        try {
            record(delivery.messageId(), delivery.room(), delivery.target(), delivery.event().sender(),
                    List.of(remoteId), Level.DEBUG);
        } catch (RuntimeException e) {
            // A null argument (an adapter bug): the contract says never throw; the receipt records the copy.
            LOG.log(Level.WARNING, "early copy not recorded", e);
        }
    }

    /**
     * Records the parts {@code ids} (in order, part 0 first) of {@code messageId}'s copy in {@code target}.
     * Never throws: an id already recorded for another message is logged at DEBUG (a network that echoes
     * the message's id as its reaction id), any other store failure at {@code failureLevel}.
     */
    void record(BridgeMessageId messageId, RoomId room, Portal target, UserRef author, List<RemoteMessageId> ids,
                Level failureLevel) {
        if (ids.isEmpty()) {
            return;
        }
        List<MessageMapping> mappings = new ArrayList<>(ids.size());
        Instant now = clock.instant();
        for (int i = 0; i < ids.size(); i++) {
            mappings.add(new MessageMapping(messageId, room, target, author, ids.get(i), i, false, now));
        }
        try {
            // Inside a delivery's unit of work, a failure here must not undo the rest of it (a savepoint).
            unitOfWork.attempt(() -> messages.record(mappings));
        } catch (StoreConflictException e) {
            // The target reused an id (a network without own reaction ids echoes the message's): nothing lost.
            LOG.log(Level.DEBUG, () -> "copy of " + messageId + " in " + target + " already recorded");
        } catch (RuntimeException e) {
            LOG.log(failureLevel, "could not record the copy of " + messageId + " in " + target
                    + "; later edits and replies of it will fall back", e);
        }
    }
}
