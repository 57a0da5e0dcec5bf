package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.core.net.UrlSafety;

/**
 * Fetches attachment content from where other networks put it ({@code https:} links such as XMPP
 * HTTP-upload URLs and avatars, or {@code mxc:}) so that it can be re-hosted in the Matrix media
 * repository. Only http, https and mxc; at most {@code maxBytes}; bounded timeouts. Thread-safe;
 * blocking (call it from a delivery thread, never from an HTTP request thread).
 *
 * <p>Server-side request forgery: the URLs come from remote users, and what is fetched becomes
 * visible in Matrix. Every hop is judged by bridge-core's {@link UrlSafety} (the one guard all
 * adapters share; its class comment has the rules): by default only public addresses; link-local,
 * multicast and unspecified addresses (cloud metadata at 169.254.169.254) never; internal addresses
 * (loopback, RFC 1918, fc00::/7, CGNAT) only when {@code allowPrivateHosts} is set (on-premises
 * upload services) or the URL lies under one of the {@code trustedUrlPrefixes} (typically this
 * appliance's own public base URL, where the XMPP adapter serves avatars), matched on the canonical
 * URI, which is then what is requested.
 * Redirects are followed by hand, at most 3, and each target is checked again by the same rules: a
 * redirect from a trusted prefix to an internal address outside every trusted prefix is refused.
 */
public final class MediaFetcher {
    /** The setting the trusted prefixes come from, named in error messages. */
    public static final String PREFIXES_KEY = "bridge.matrix.media-trusted-url-prefixes";

    /** Fetched content. */
    public record Content(byte[] bytes, String contentType) {
    }

    private static final int MAX_REDIRECTS = 3;

    private final MatrixClient matrix;
    private final long maxBytes;
    private final boolean allowPrivateHosts;
    private final UrlSafety safety;
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
        this.safety = UrlSafety.withTrustedPrefixes(PREFIXES_KEY,
                trustedUrlPrefixes == null ? List.of() : trustedUrlPrefixes);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Checks a trusted-prefix list ({@link UrlSafety}'s rules: absolute http or https URL with a host, an
     * empty path or one ending in {@code /}, no user info, query, fragment, dot segment or
     * percent-encoded dot/slash/backslash) and returns it in canonical form; null is an empty list.
     *
     * @throws IllegalArgumentException naming every bad entry
     */
    public static List<String> validatePrefixes(List<String> prefixes) {
        return prefixes == null ? List.of() : UrlSafety.withTrustedPrefixes(PREFIXES_KEY, prefixes).trustedPrefixes();
    }

    /**
     * Whether {@code uri} is under one of the trusted prefixes. A fragment does not count: it is
     * never sent to the server (RFC 3986 section 3.5) and {@link #fetch} drops it.
     */
    public boolean isTrusted(URI uri) {
        return safety.isTrusted(UrlSafety.withoutFragment(uri));
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
            current = safety.checkHop(current, allowPrivateHosts);
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
}
