package org.bridgeappliance.core.model;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/** A change of the room's name, topic or avatar; empty fields are unchanged. */
public record RoomInfoEvent(EventMeta meta, Optional<String> name, Optional<String> topic, Optional<URI> avatar)
        implements RoomEvent {
    public RoomInfoEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(avatar, "avatar");
    }
}
