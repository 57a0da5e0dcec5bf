package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.core.net.UrlSafety;
import org.bridgeappliance.fetch.PinnedFetch;

/**
 * Fetches attachment content from where other networks put it ({@code https:} links such as XMPP
 * HTTP-upload URLs and avatars, or {@code mxc:}) so that it can be re-hosted in the Matrix media
 * repository. Only http, https and mxc; at most {@code maxBytes}; one deadline on the whole fetch.
 * Thread-safe; blocking (call it from a delivery thread, never from an HTTP request thread).
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
 *
 * <p>DNS rebinding: the host name is resolved once per hop, the addresses are checked, and the
 * connection goes to exactly those addresses (the shared {@link PinnedFetch}); the Host header and, for https, the TLS SNI and certificate check use the name from
 * the URL. A name that answers a public address to the check and 169.254.169.254 a moment later
 * never reaches the second one.
 *
 * <p>Deadline: {@code timeout} bounds the whole fetch, every hop's connect, headers and body
 * together; at the deadline the connection is torn down, so a server that drips its body a byte at a
 * time holds a delivery thread for at most {@code timeout}.
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
    private final Duration timeout;
    private final boolean allowPrivateHosts;
    private final UrlSafety safety;
    private final UrlSafety.Resolver resolver;
    private final PinnedFetch http = new PinnedFetch("media-fetch-deadline");

    /** Strict: public addresses only, no trusted prefixes. */
    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout) {
        this(matrix, maxBytes, timeout, false, List.of());
    }

    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout, boolean allowPrivateHosts) {
        this(matrix, maxBytes, timeout, allowPrivateHosts, List.of());
    }

    /**
     * @param timeout            deadline of one whole fetch (all hops, connect, headers and body)
     * @param trustedUrlPrefixes absolute http(s) URL prefixes fetched even on internal addresses
     * @throws IllegalArgumentException if a prefix is not valid ({@link #validatePrefixes})
     */
    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout, boolean allowPrivateHosts,
                        List<String> trustedUrlPrefixes) {
        this(matrix, maxBytes, timeout, allowPrivateHosts, trustedUrlPrefixes, InetAddress::getAllByName);
    }

    /** For tests: {@code resolver} stands in for DNS. */
    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout, boolean allowPrivateHosts,
                        List<String> trustedUrlPrefixes, UrlSafety.Resolver resolver) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the media fetch timeout must be positive");
        }
        this.matrix = matrix;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.allowPrivateHosts = allowPrivateHosts;
        this.safety = UrlSafety.withTrustedPrefixes(PREFIXES_KEY,
                trustedUrlPrefixes == null ? List.of() : trustedUrlPrefixes);
        this.resolver = resolver;
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

    /**
     * @throws IOException when it cannot be fetched (unsupported scheme, refused host, too large, HTTP error,
     *                     deadline passed)
     */
    public Content fetch(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("mxc")) {
            MatrixClient.Media media = matrix.download(uri.toString());
            return new Content(media.content(), media.contentType());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            UrlSafety.Hop checked = safety.checkHop(current, allowPrivateHosts, resolver);
            PinnedFetch.Response answer;
            try {
                answer = http.get(checked, deadline, maxBytes);
            } catch (PinnedFetch.DeadlineException e) {
                throw new IOException("fetch not finished within " + timeout.toMillis() + " ms", e);
            }
            if (answer.status() / 100 == 2) {
                return new Content(answer.body(),
                        answer.contentType() == null ? "application/octet-stream" : answer.contentType());
            }
            if (answer.status() / 100 != 3) {
                throw new IOException("HTTP " + answer.status());
            }
            if (answer.location() == null) {
                throw new IOException("redirect without Location");
            }
            try {
                current = checked.uri().resolve(new URI(answer.location()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("bad redirect target " + answer.location(), e);
            }
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }
}
