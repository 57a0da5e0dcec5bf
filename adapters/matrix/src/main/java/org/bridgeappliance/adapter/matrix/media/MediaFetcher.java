package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;

/**
 * Fetches attachment content from where other networks put it ({@code https:} links such as XMPP
 * HTTP-upload URLs and avatars, or {@code mxc:}) so that it can be re-hosted in the Matrix media
 * repository. Only http, https and mxc; at most {@code maxBytes}; bounded timeouts. Thread-safe;
 * blocking (call it from a delivery thread, never from an HTTP request thread).
 *
 * <p>Server-side request forgery: the URLs come from remote users, and what is fetched becomes
 * visible in Matrix. By default only public addresses are fetched. Link-local, multicast and
 * unspecified addresses (cloud metadata services at 169.254.169.254, fe80::/10) are always refused.
 * Loopback, private (RFC 1918) and unique-local (fc00::/7) addresses are refused unless
 * <ul>
 *   <li>{@code allowPrivateHosts} is set (on-premises upload services), or</li>
 *   <li>the URL lies under one of the {@code trustedUrlPrefixes} (typically this appliance's own
 *       public base URL, where the XMPP adapter serves avatars): an exact prefix match on the
 *       normalized URI (RFC 3986 section 6.2.2: lower-case scheme and host, no default port, dot
 *       segments removed), so {@code http://host/a/../b} is judged as {@code http://host/b}. URLs with
 *       user info or a percent-encoded dot, slash or backslash in the path are never trusted, since a
 *       server decoding them could climb out of the prefix after our check.</li>
 * </ul>
 * Redirects are followed by hand, at most 3, and each target is checked again by the same rules: a
 * redirect from a trusted prefix to an internal address outside every trusted prefix is refused.
 *
 * <p>Not covered: DNS rebinding between our address check and the HTTP client's own lookup (the
 * JDK client resolves again); the check catches hostile links, not hostile DNS servers.
 */
public final class MediaFetcher {
    /** Fetched content. */
    public record Content(byte[] bytes, String contentType) {
    }

    private static final int MAX_REDIRECTS = 3;

    private final MatrixClient matrix;
    private final long maxBytes;
    private final boolean allowPrivateHosts;
    private final List<String> trustedPrefixes;
    private final HttpClient http;

    /** Strict: public addresses only, no trusted prefixes. */
    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout) {
        this(matrix, maxBytes, timeout, false, List.of());
    }

    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout, boolean allowPrivateHosts) {
        this(matrix, maxBytes, timeout, allowPrivateHosts, List.of());
    }

    /**
     * @param trustedUrlPrefixes absolute http(s) URL prefixes fetched even on internal addresses
     * @throws IllegalArgumentException if a prefix is not valid ({@link #validatePrefixes})
     */
    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout, boolean allowPrivateHosts,
                        List<String> trustedUrlPrefixes) {
        this.matrix = matrix;
        this.maxBytes = maxBytes;
        this.allowPrivateHosts = allowPrivateHosts;
        this.trustedPrefixes = validatePrefixes(trustedUrlPrefixes);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Checks a trusted-prefix list and returns it in normalized form. Each entry must be an absolute
     * http or https URL with a host, an empty path or one ending in {@code /}, and no user info, query, fragment, dot
     * segment or percent-encoded dot/slash/backslash.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    public static List<String> validatePrefixes(List<String> prefixes) {
        if (prefixes == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String p : prefixes) {
            String why = prefixProblem(p);
            if (why != null) {
                throw new IllegalArgumentException("bridge.matrix.media-trusted-url-prefixes: bad entry \""
                        + p + "\": " + why);
            }
            out.add(canonical(URI.create(p.strip())).orElseThrow());
        }
        return List.copyOf(out);
    }

    private static String prefixProblem(String p) {
        if (p == null || p.isBlank()) {
            return "empty";
        }
        URI u;
        try {
            u = new URI(p.strip());
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "not an absolute http or https URL";
        }
        if (u.isOpaque() || u.getHost() == null) {
            return "no host";
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            return "user info, query and fragment are not allowed";
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (hasEncodedSeparator(path) || !u.normalize().getRawPath().equals(path.isEmpty() ? "" : path)) {
            return "the path must not contain dot segments or encoded dots, slashes or backslashes";
        }
        if (!path.isEmpty() && !path.endsWith("/")) {
            // "http://host/avatar" would also match "http://host/avatar-admin/...".
            return "the path must end with '/'";
        }
        return null;
    }

    /** Whether {@code uri} is under one of the trusted prefixes (see the class comment). */
    public boolean isTrusted(URI uri) {
        if (trustedPrefixes.isEmpty() || uri.getRawUserInfo() != null
                || hasEncodedSeparator(uri.getRawPath() == null ? "" : uri.getRawPath())) {
            return false;
        }
        Optional<String> normalized = canonical(uri);
        return normalized.isPresent() && trustedPrefixes.stream().anyMatch(normalized.get()::startsWith);
    }

    /** Scheme and host in lower case, default port dropped, dot segments removed, no fragment. */
    private static Optional<String> canonical(URI uri) {
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null) {
            return Optional.empty();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
            port = -1;
        }
        URI n = uri.normalize();
        String path = n.getRawPath() == null || n.getRawPath().isEmpty() ? "/" : n.getRawPath();
        if (path.startsWith("/..")) {
            return Optional.empty(); // climbs above the root: no server agrees on what that means
        }
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port)
                + path + (n.getRawQuery() == null ? "" : "?" + n.getRawQuery()));
    }

    private static boolean hasEncodedSeparator(String rawPath) {
        String p = rawPath.toLowerCase(Locale.ROOT);
        return p.contains("%2e") || p.contains("%2f") || p.contains("%5c") || p.contains("\\");
    }

    /** @throws IOException when it cannot be fetched (unsupported scheme, refused host, too large, HTTP error) */
    public Content fetch(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("mxc")) {
            MatrixClient.Media media = matrix.download(uri.toString());
            return new Content(media.content(), media.contentType());
        }
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            current = checkTarget(current);
            HttpRequest request = HttpRequest.newBuilder(current).timeout(Duration.ofSeconds(60)).GET().build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IllegalArgumentException e) {
                throw new IOException("bad URL " + current, e);
            }
            try (InputStream in = response.body()) {
                int status = response.statusCode();
                if (status / 100 == 3) {
                    String location = response.headers().firstValue("Location")
                            .orElseThrow(() -> new IOException("redirect without Location"));
                    try {
                        current = current.resolve(new URI(location));
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        throw new IOException("bad redirect target " + location, e);
                    }
                    continue;
                }
                if (status / 100 != 2) {
                    throw new IOException("HTTP " + status);
                }
                long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > maxBytes) {
                    throw new IOException("larger than " + maxBytes + " bytes");
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw new IOException("larger than " + maxBytes + " bytes");
                }
                return new Content(bytes,
                        response.headers().firstValue("Content-Type").orElse("application/octet-stream"));
            }
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }

    /**
     * Checks one hop and returns the URI to request: for a trusted URL its normalized form, so that
     * what is requested is what was matched against the prefix.
     */
    private URI checkTarget(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("unsupported scheme " + scheme);
        }
        if (uri.getHost() == null) {
            throw new IOException("no host in " + uri);
        }
        boolean trusted = isTrusted(uri);
        for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
            if (address.isLinkLocalAddress() || address.isMulticastAddress() || address.isAnyLocalAddress()) {
                throw new IOException("refusing to fetch from " + address.getHostAddress());
            }
            if (!allowPrivateHosts && !trusted && (address.isLoopbackAddress() || address.isSiteLocalAddress()
                    || isUniqueLocal(address))) {
                throw new IOException("refusing to fetch from private address " + address.getHostAddress()
                        + " (not under bridge.matrix.media-trusted-url-prefixes)");
            }
        }
        return trusted ? URI.create(canonical(uri).orElseThrow()) : uri;
    }

    private static boolean isUniqueLocal(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc; // fc00::/7
    }
}
