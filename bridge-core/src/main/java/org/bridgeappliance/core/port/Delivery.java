package org.bridgeappliance.core.port;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.RoomEvent;

/**
 * One event to be delivered into one portal, as prepared by the router: fallbacks already applied
 * (the event may have been rewritten, e.g. an edit into a message) and every reference to another
 * message already translated into the target network's ids.
 *
 * @param messageId the canonical id of the message this delivery belongs to
 * @param room      the bridged room
 * @param target    the portal to deliver into (always on the receiving adapter's network)
 * @param event     the event to deliver, as it arrived from the origin or rewritten by a fallback
 * @param reference for edits, retractions, reactions and read markers: the target-network copy of
 *                  the message they refer to (for a reaction removal: the reaction's own id)
 * @param replyTo   for replies: the target-network copy of the message answered
 * @param attempt   1 for the first try, incremented on each retry
 */
public record Delivery(BridgeMessageId messageId, RoomId room, Portal target, RoomEvent event,
                       Optional<Reference> reference, Optional<Reference> replyTo, int attempt) {

    /**
     * A message as it exists on the target network.
     *
     * @param parts  every id of its copy on the target network, in order (more than one if split)
     * @param author the person who wrote the original (a reply's quote and XEP-0461 need it)
     */
    public record Reference(List<RemoteMessageId> parts, UserRef author) {
        public Reference {
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a reference needs at least one id");
            }
            Objects.requireNonNull(author, "author");
        }

        /** The id to address the message by: its first part. */
        public RemoteMessageId first() {
            return parts.get(0);
        }
    }

    public Delivery {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(replyTo, "replyTo");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
    }
}
