package org.bridgeappliance.adapter.matrix.media;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;

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
    private final byte[] key;

    public MediaLinks(String publicBaseUrl, String secret) {
        this.base = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
        this.key = hmac(("bridge-media-link-key|" + secret).getBytes(StandardCharsets.UTF_8),
                "derive".getBytes(StandardCharsets.UTF_8));
    }

    /** The public URL of {@code mxc}, or the mxc URI itself if it is malformed. */
    public URI link(String mxc) {
        String[] parts = MatrixClient.parseMxc(mxc);
        return URI.create(base + PATH + parts[0] + "/" + parts[1] + "/" + signature(parts[0], parts[1]));
    }

    /** The mxc URI a signed link names, if the signature is right (constant-time check). */
    public Optional<String> verify(String server, String mediaId, String signature) {
        String mxc = "mxc://" + server + "/" + mediaId;
        try {
            MatrixClient.parseMxc(mxc);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        boolean ok = MessageDigest.isEqual(signature(server, mediaId).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
        return ok ? Optional.of(mxc) : Optional.empty();
    }

    private String signature(String server, String mediaId) {
        byte[] mac = hmac(key, ("mxc://" + server + "/" + mediaId).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(mac, 16));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
