package org.bridgeappliance.core.net;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures for the public links the appliance serves (re-hosted media, avatars): only what the bridge itself
 * linked can be fetched, and links cannot be forged. HMAC-SHA256 under a key derived from a configured secret and
 * a label naming the kind of link (the secret itself is never the key, so links of one kind say nothing about
 * another or about the secret); 128 bits of the MAC, base64url without padding. Plain JDK. Thread-safe.
 */
public final class LinkSigner {
    private final byte[] key;

    /**
     * @param label  names the kind of link (e.g. {@code bridge-media-link-key}); changing it invalidates links
     * @param secret the configured secret the key is derived from; never logged
     */
    public LinkSigner(String label, String secret) {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(secret, "secret");
        this.key = hmac((label + "|" + secret).getBytes(StandardCharsets.UTF_8),
                "derive".getBytes(StandardCharsets.UTF_8));
    }

    /** The signature of {@code data}: 22 characters of base64url. */
    public String sign(String data) {
        byte[] mac = hmac(key, data.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac, 16));
    }

    /** Whether {@code signature} is {@code data}'s, compared in constant time. */
    public boolean verify(String data, String signature) {
        if (data == null || signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(data).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
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
