package org.bridgeappliance.adapter.matrix.media;

import java.net.URI;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.core.net.LinkSigner;

/**
 * Public links to Matrix media for other networks. Matrix media is authenticated (spec v1.11,
 * MSC3916), so XMPP and SIP users cannot fetch {@code mxc://} URIs; the appliance serves them at
 * {@code <base>/_bridge/matrix/media/<server>/<mediaId>/<signature>}, where the signature is an
 * HMAC-SHA256 of the mxc URI under a key derived from the hs_token: only media the bridge itself
 * linked can be fetched, and links cannot be forged. Thread-safe.
 */
public final class MediaLinks {
    public static final String PATH = "/_bridge/matrix/media/";

    private final String base;
    private final LinkSigner signer;

    public MediaLinks(String publicBaseUrl, String secret) {
        this.base = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
        this.signer = new LinkSigner("bridge-media-link-key", secret);
    }

    /** The public URL of {@code mxc}, or the mxc URI itself if it is malformed. */
    public URI link(String mxc) {
        String[] parts = MatrixClient.parseMxc(mxc);
        String signature = signer.sign("mxc://" + parts[0] + "/" + parts[1]);
        return URI.create(base + PATH + parts[0] + "/" + parts[1] + "/" + signature);
    }

    /** The mxc URI a signed link names, if the signature is right (constant-time check). */
    public Optional<String> verify(String server, String mediaId, String signature) {
        String mxc = "mxc://" + server + "/" + mediaId;
        try {
            MatrixClient.parseMxc(mxc);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return signer.verify(mxc, signature) ? Optional.of(mxc) : Optional.empty();
    }

    /** The mxc URI a link made by {@link #link} names, if {@code uri} is one with the right signature. */
    public Optional<String> mxcOf(URI uri) {
        String text = uri.toString();
        if (!text.startsWith(base + PATH)) {
            return Optional.empty();
        }
        String[] parts = text.substring((base + PATH).length()).split("/", -1);
        return parts.length == 3 ? verify(parts[0], parts[1], parts[2]) : Optional.empty();
    }
}
