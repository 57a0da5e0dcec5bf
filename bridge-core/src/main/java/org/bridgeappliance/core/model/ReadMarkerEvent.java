package org.bridgeappliance.core.model;

import java.util.Objects;
import org.bridgeappliance.core.id.RemoteMessageId;

/** The sender has read the room up to and including {@code upTo} (XEP-0333 displayed, Matrix m.read). */
public record ReadMarkerEvent(EventMeta meta, RemoteMessageId upTo) implements RoomEvent {
    public ReadMarkerEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(upTo, "upTo");
    }
}
