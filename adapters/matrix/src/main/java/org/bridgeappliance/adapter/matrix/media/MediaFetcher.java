package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.io.InputStream;
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
 */
public final class MediaFetcher {
    /** Fetched content. */
    public record Content(byte[] bytes, String contentType) {
    }

    private final MatrixClient matrix;
    private final long maxBytes;
    private final HttpClient http;

    public MediaFetcher(MatrixClient matrix, long maxBytes, Duration timeout) {
        this.matrix = matrix;
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** @throws IOException when it cannot be fetched (unsupported scheme, too large, HTTP error) */
    public Content fetch(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("mxc")) {
            MatrixClient.Media media = matrix.download(uri.toString());
            return new Content(media.content(), media.contentType());
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("unsupported scheme " + scheme);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new IOException("HTTP " + response.statusCode());
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                throw new IOException("larger than " + maxBytes + " bytes");
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new IOException("larger than " + maxBytes + " bytes");
            }
            return new Content(bytes, response.headers().firstValue("Content-Type").orElse("application/octet-stream"));
        }
    }
}
