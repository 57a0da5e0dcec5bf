package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;

/**
 * Fetches attachment content from where other networks put it ({@code https:} links such as XMPP
 * HTTP-upload URLs, or {@code mxc:}) so that it can be re-hosted in the Matrix media repository.
 * Only http, https and mxc; at most {@code maxBytes}; bounded timeouts. Thread-safe.
 *
 * <p>Server-side request forgery: the URLs come from remote users, and what is fetched becomes
 * visible in Matrix. Link-local, multicast and unspecified addresses (cloud metadata services at
 * 169.254.169.254, fe80::/10) are always refused, also after a redirect (redirects are followed by
 * hand, at most 3, each target checked). Loopback and private (site-local) addresses are allowed only
 * with {@code allowPrivateHosts}: on-premises XMPP upload services often live there.
 */
public final class MediaFetcher {
    /** Fetched content. */
    public record Content(byte[] bytes, String contentType) {
    }

    private static final int MAX_REDIRECTS = 3;

    private final MatrixClient matrix;
    private final long maxBytes;
    private final boolean allowPrivateHosts;
    private final HttpClient http;

    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout) {
        this(matrix, maxBytes, timeout, true);
    }

    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout, boolean allowPrivateHosts) {
        this.matrix = matrix;
        this.maxBytes = maxBytes;
        this.allowPrivateHosts = allowPrivateHosts;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
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
            checkTarget(current);
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
                    current = current.resolve(location);
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

    private void checkTarget(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("unsupported scheme " + scheme);
        }
        if (uri.getHost() == null) {
            throw new IOException("no host in " + uri);
        }
        for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
            if (address.isLinkLocalAddress() || address.isMulticastAddress() || address.isAnyLocalAddress()) {
                throw new IOException("refusing to fetch from " + address.getHostAddress());
            }
            if (!allowPrivateHosts && (address.isLoopbackAddress() || address.isSiteLocalAddress()
                    || isUniqueLocal(address))) {
                throw new IOException("refusing to fetch from private address " + address.getHostAddress());
            }
        }
    }

    private static boolean isUniqueLocal(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc; // fc00::/7
    }
}
