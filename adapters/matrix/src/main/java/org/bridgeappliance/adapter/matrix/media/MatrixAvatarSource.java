package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.core.port.AvatarSource;

/**
 * Avatars for the admin UI, fetched the way the adapter fetches media anyway: {@code mxc:} URIs and the
 * bridge's own signed media links from the homeserver's media repository, other URLs only when they are under
 * the trusted prefixes ({@code bridge.matrix.media-trusted-url-prefixes}, e.g. where the XMPP adapter serves
 * avatars), with {@link MediaFetcher}'s address checks, size limit and deadline.
 */
public final class MatrixAvatarSource implements AvatarSource {
    private final MatrixClient client;
    private final MediaLinks links;
    private final MediaFetcher fetcher;

    public MatrixAvatarSource(MatrixClient client, MediaLinks links, MediaFetcher fetcher) {
        this.client = client;
        this.links = links;
        this.fetcher = fetcher;
    }

    @Override
    public Optional<Image> fetchAvatar(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Optional<String> mxc = scheme.equals("mxc") ? Optional.of(uri.toString()) : links.mxcOf(uri);
        if (mxc.isPresent()) {
            try {
                MatrixClient.Media media = client.download(mxc.get());
                return Optional.of(new Image(media.content(), media.contentType()));
            } catch (RuntimeException e) { // the homeserver's answer (MatrixHttpException) or a malformed mxc
                throw new IOException("the homeserver did not give " + mxc.get() + ": " + e.getMessage(), e);
            }
        }
        if (!fetcher.isTrusted(uri)) {
            return Optional.empty();
        }
        MediaFetcher.Content content = fetcher.fetch(uri);
        return Optional.of(new Image(content.bytes(), content.contentType()));
    }
}
