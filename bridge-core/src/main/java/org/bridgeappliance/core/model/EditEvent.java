package org.bridgeappliance.core.model;

import java.util.Objects;
import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * A correction of an earlier message by its own author (XEP-0308, Matrix {@code m.replace}).
 *
 * @param target  the origin-network id of the message being corrected
 * @param newBody the full replacement text
 */
public record EditEvent(EventMeta meta, RemoteMessageId target, MessageBody newBody) implements RoomEvent {
    public EditEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(newBody, "newBody");
    }
}
