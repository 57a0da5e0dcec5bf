package org.bridgeappliance.core.model;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A file sent with a message. {@code uri} is where the bridge can fetch the content; adapters
 * re-host or proxy it for their network.
 */
public record Attachment(Kind kind, URI uri, String mimeType, Optional<String> fileName, OptionalLong size) {
    public enum Kind { IMAGE, AUDIO, VIDEO, FILE }

    public Attachment {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(mimeType, "mimeType");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(size, "size");
    }
}
