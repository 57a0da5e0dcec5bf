package org.bridgeappliance.core.model;

import java.util.Objects;

/** The sender started or stopped composing (XEP-0085, Matrix typing, RFC 3994 is-composing). */
public record TypingEvent(EventMeta meta, boolean typing) implements RoomEvent {
    public TypingEvent {
        Objects.requireNonNull(meta, "meta");
    }
}
