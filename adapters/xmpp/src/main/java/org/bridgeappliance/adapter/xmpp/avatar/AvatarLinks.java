package org.bridgeappliance.adapter.xmpp.avatar;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.bridgeappliance.core.net.LinkSigner;

/**
 * Public, content-addressed links to XMPP users' avatars, for other networks (the Matrix adapter
 * fetches them over HTTP): {@code <base>/_bridge/xmpp/avatar/<escaped JID>/<sha1 hex>/<signature>}.
 * The signature is an HMAC-SHA256 of the JID and hash under a key derived from the component secret
 * (the secret itself is never used as the key, nor logged), so only avatars the bridge published can be
 * fetched and links cannot be forged. The same avatar of the same person always has the same link, across
 * restarts, so the other side does not upload it again. Thread-safe.
 *
 * <p>JID escaping keeps {@code [A-Za-z0-9._@-]} and writes every other UTF-8 byte as {@code ~XX}
 * (uppercase hex): {@code ~} is unreserved in URIs (RFC 3986 §2.3), so no HTTP layer decodes or
 * re-encodes it, and occupant JIDs ({@code room@service/nick}) keep their slash out of the path.
 */
public final class AvatarLinks {
    public static final String PATH = "/_bridge/xmpp/avatar/";
    private static final int MAX_JID_CHARS = 3071 * 3; // RFC 7622: 3071 bytes per JID, each at most ~XX

    private final String base;
    private final LinkSigner signer;

    /**
     * @param publicBaseUrl where other networks reach this appliance's HTTP server (no trailing path needed)
     * @param secret        the component secret the link key is derived from
     */
    public AvatarLinks(String publicBaseUrl, String secret) {
        this.base = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
        this.signer = new LinkSigner("bridge-xmpp-avatar-link-key", secret);
    }

    /** The public link of {@code jid}'s avatar with hash {@code sha1}. */
    public URI link(String jid, String sha1) {
        if (!AvatarImages.isSha1Hex(sha1)) {
            throw new IllegalArgumentException("not a SHA-1 hex hash");
        }
        return URI.create(base + PATH + escape(jid) + "/" + sha1 + "/" + signer.sign(signed(jid, sha1)));
    }

    /** The JID a link names if its signature is right (constant-time check) and its parts are well formed. */
    public Optional<String> verify(String escapedJid, String sha1, String signature) {
        if (escapedJid == null || signature == null || !AvatarImages.isSha1Hex(sha1)) {
            return Optional.empty();
        }
        Optional<String> jid = unescape(escapedJid);
        if (jid.isEmpty()) {
            return Optional.empty();
        }
        return signer.verify(signed(jid.get(), sha1), signature) ? jid : Optional.empty();
    }

    /** The path segment for a JID (see the class comment). */
    public static String escape(String jid) {
        StringBuilder sb = new StringBuilder(jid.length() + 8);
        for (byte b : jid.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-' || c == '@') {
                sb.append((char) c);
            } else {
                sb.append('~').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }

    /** The inverse of {@link #escape}; empty for anything {@link #escape} cannot have produced. */
    public static Optional<String> unescape(String segment) {
        if (segment.isEmpty() || segment.length() > MAX_JID_CHARS) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '~') {
                if (i + 2 >= segment.length()) {
                    return Optional.empty();
                }
                int hi = hex(segment.charAt(i + 1));
                int lo = hex(segment.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                int v = hi << 4 | lo;
                if (isPlain(v)) {
                    return Optional.empty(); // not canonical: escape() writes these characters as they are
                }
                out.write(v);
                i += 2;
            } else if (isPlain(c)) {
                out.write(c);
            } else {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static boolean isPlain(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                || c == '-' || c == '@';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1; // lowercase hex is not canonical either
    }

    private static String signed(String jid, String sha1) {
        return "xmpp-avatar|" + jid + "|" + sha1;
    }

    /** Problems of a {@code bridge.xmpp.public-base-url} value (empty string: none; an empty URL is allowed). */
    public static String problems(String publicBaseUrl) {
        if (publicBaseUrl == null || publicBaseUrl.isBlank()) {
            return "";
        }
        try {
            URI u = new URI(publicBaseUrl.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null && u.getRawQuery() == null
                    && u.getRawFragment() == null && u.getRawUserInfo() == null) {
                return "";
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        return "bridge.xmpp.public-base-url is not an http(s) URL with a host: " + publicBaseUrl + "; ";
    }
}
