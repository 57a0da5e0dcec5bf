package org.bridgeappliance.adapter.matrix.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.Lookup;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.core.net.UrlSafety;

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
 * connection goes to exactly those addresses (Apache HttpClient with a {@link DnsResolver} that only
 * knows them); the Host header and, for https, the TLS SNI and certificate check use the name from
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
    private final Lookup<TlsSocketStrategy> tls;
    /** Fires the deadlines; its one thread ends when idle. */
    private final ScheduledThreadPoolExecutor deadlines;

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
        this.tls = RegistryBuilder.<TlsSocketStrategy>create()
                .register("https", DefaultClientTlsStrategy.createSystemDefault()).build();
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "media-fetch-deadline");
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true);
        deadlines.setKeepAliveTime(30, TimeUnit.SECONDS);
        deadlines.allowCoreThreadTimeOut(true);
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
            Answer result = get(checked, deadline);
            if (result.content() != null) {
                return result.content();
            }
            try {
                current = checked.uri().resolve(new URI(result.location()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("bad redirect target " + result.location(), e);
            }
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }

    /** The outcome of one request: content, or the Location of a redirect. */
    private record Answer(Content content, String location) {
    }

    /** One GET to exactly the checked addresses, torn down at {@code deadline}. */
    private Answer get(UrlSafety.Hop checked, long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw timedOut(null);
        }
        Timeout left = Timeout.ofMilliseconds(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        List<InetAddress> addresses = checked.addresses();
        BasicHttpClientConnectionManager connections = BasicHttpClientConnectionManager.create(
                DefaultSchemePortResolver.INSTANCE, pinned(addresses), tls, ManagedHttpClientConnectionFactory.INSTANCE);
        connections.setConnectionConfig(ConnectionConfig.custom().setConnectTimeout(left).setSocketTimeout(left).build());
        connections.setSocketConfig(SocketConfig.custom().setSoTimeout(left).build());
        HttpGet request = new HttpGet(checked.uri());
        request.setConfig(RequestConfig.custom().setResponseTimeout(left).setConnectionRequestTimeout(left).build());
        AtomicBoolean expired = new AtomicBoolean();
        try (CloseableHttpClient http = HttpClients.custom().setConnectionManager(connections)
                .disableAutomaticRetries().disableRedirectHandling().disableContentCompression()
                .disableCookieManagement().disableAuthCaching().build()) {
            // Socket timeouts bound each read, not the sum of reads: the alarm bounds the whole exchange.
            ScheduledFuture<?> alarm = deadlines.schedule(() -> {
                expired.set(true);
                request.cancel();
                http.close(CloseMode.IMMEDIATE);
            }, remaining, TimeUnit.NANOSECONDS);
            try (ClassicHttpResponse response = http.executeOpen(null, request, null)) {
                return read(response);
            } catch (IOException | RuntimeException e) {
                if (expired.get()) {
                    throw timedOut(e);
                }
                throw e;
            } finally {
                alarm.cancel(false);
            }
        }
    }

    private Answer read(ClassicHttpResponse response) throws IOException {
        int status = response.getCode();
        if (status / 100 == 3) {
            Header location = response.getFirstHeader("Location");
            if (location == null) {
                throw new IOException("redirect without Location");
            }
            return new Answer(null, location.getValue());
        }
        if (status / 100 != 2) {
            throw new IOException("HTTP " + status);
        }
        HttpEntity entity = response.getEntity();
        if (entity != null && entity.getContentLength() > maxBytes) {
            throw new IOException("larger than " + maxBytes + " bytes");
        }
        byte[] bytes;
        if (entity == null) {
            bytes = new byte[0];
        } else {
            try (InputStream in = entity.getContent()) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
        }
        if (bytes.length > maxBytes) {
            throw new IOException("larger than " + maxBytes + " bytes");
        }
        Header type = response.getFirstHeader("Content-Type");
        return new Answer(new Content(bytes, type == null ? "application/octet-stream" : type.getValue()), null);
    }

    private IOException timedOut(Exception cause) {
        return new IOException("fetch not finished within " + timeout.toMillis() + " ms", cause);
    }

    /**
     * A resolver that knows only the checked addresses: the client connects to one of them whatever name
     * it asks for (it asks only for the one host of this hop), never to a second look-up.
     */
    private static DnsResolver pinned(List<InetAddress> addresses) {
        InetAddress[] fixed = addresses.toArray(new InetAddress[0]);
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) {
                return fixed.clone();
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }
}
