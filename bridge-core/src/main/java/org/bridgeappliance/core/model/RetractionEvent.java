package org.bridgeappliance.core.model;

import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * The removal of a message, by its author (retraction, XEP-0424) or by a moderator (XEP-0425,
 * a Matrix redaction of someone else's event).
 *
 * @param target     the origin-network id of the removed message
 * @param moderation true when the sender is not the author
 */
public record RetractionEvent(EventMeta meta, RemoteMessageId target, boolean moderation, Optional<String> reason)
        implements RoomEvent {
    public RetractionEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(reason, "reason");
    }
}
