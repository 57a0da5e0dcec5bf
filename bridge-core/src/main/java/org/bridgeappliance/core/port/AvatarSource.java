package org.bridgeappliance.core.port;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Optional capability of a {@link ProtocolAdapter} that can fetch an avatar a {@link org.bridgeappliance.core.model.Profile}
 * names (an {@code mxc:} URI, a link the bridge itself serves, a URL under the adapter's trusted prefixes), so that
 * the admin UI can show it from the appliance's own origin: the browser never loads an image from another host.
 *
 * <p>Threading: called on the admin API's worker threads. Blocks on network I/O within the adapter's own fetch
 * deadline and size limit, and with its own address checks (never a private address it would not fetch anyway).
 */
public interface AvatarSource {

    /** An image's bytes and its declared media type (the caller decides whether to serve it). */
    record Image(byte[] bytes, String contentType) {
        public Image {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(contentType, "contentType");
        }
    }

    /**
     * The avatar at {@code uri}, or empty when this adapter does not fetch such URIs.
     *
     * @throws IOException when it should be able to but could not (refused, too large, HTTP error, deadline)
     */
    Optional<Image> fetchAvatar(URI uri) throws IOException;
}
