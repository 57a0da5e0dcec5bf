package org.bridgeappliance.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;
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
import org.bridgeappliance.core.net.UrlSafety;

/**
 * One HTTP GET to exactly the addresses {@link UrlSafety#checkHop(java.net.URI, boolean, UrlSafety.Resolver)}
 * checked, bounded by one deadline: the fetch step every adapter that fetches remote users' URLs shares (the
 * Matrix media fetcher, the XMPP avatar fetcher). Policy (which URLs, how many redirects, which types) stays
 * with the caller; this class only makes the checked hop the one that is connected to.
 *
 * <p>DNS rebinding: the client gets a {@link DnsResolver} that knows only the checked addresses, so a name
 * that answered a public address to the check and 169.254.169.254 a moment later never reaches the second.
 * The Host header and, for https, the TLS SNI and the certificate's host name check use the host of the
 * URL. Apache HttpClient because java.net.http cannot connect to a given address while keeping the
 * URL's name for SNI and the certificate check; bridge-core stays JDK-only, so this lives in its own module.
 *
 * <p>Redirects are never followed here (3xx comes back with its Location; the caller checks the target as a
 * new hop). No retries, cookies, authentication or content decompression.
 *
 * <p>Deadline: socket timeouts bound each read, not the sum of reads; a timer tears the connection down at
 * the deadline, so a server dripping its body a byte at a time holds the calling thread until the deadline
 * at most. Thread-safe; {@link #get} blocks (call it from a worker thread).
 */
public final class PinnedFetch {
    /**
     * The answer to one GET.
     *
     * @param status      the HTTP status code
     * @param location    the Location header of a 3xx answer, else null
     * @param contentType the Content-Type header, or null
     * @param body        the body of a 2xx answer (at most the {@code maxBytes} asked for), else empty
     */
    public record Response(int status, String location, String contentType, byte[] body) {
    }

    private final Lookup<TlsSocketStrategy> tls;
    /** Fires the deadlines; its one thread ends when idle. */
    private final ScheduledThreadPoolExecutor deadlines;

    /** @param threadName the name of the deadline timer's thread (seen in thread dumps) */
    public PinnedFetch(String threadName) {
        this.tls = RegistryBuilder.<TlsSocketStrategy>create()
                .register("https", DefaultClientTlsStrategy.createSystemDefault()).build();
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true);
        deadlines.setKeepAliveTime(30, TimeUnit.SECONDS);
        deadlines.allowCoreThreadTimeOut(true);
    }

    /**
     * GETs {@code hop.uri()} from one of {@code hop.addresses()}, never from a fresh look-up of its host.
     *
     * @param deadline {@link System#nanoTime()} by which the whole exchange (connect, headers, body) is done
     * @param maxBytes the largest body accepted (a larger Content-Length is refused before reading)
     * @throws DeadlineException   when the deadline passed
     * @throws IOException when the exchange fails or the body is larger than {@code maxBytes}
     */
    public Response get(UrlSafety.Hop hop, long deadline, long maxBytes) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new DeadlineException(null);
        }
        Timeout left = Timeout.ofMilliseconds(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        BasicHttpClientConnectionManager connections = BasicHttpClientConnectionManager.create(
                DefaultSchemePortResolver.INSTANCE, pinned(hop.addresses()), tls, ManagedHttpClientConnectionFactory.INSTANCE);
        connections.setConnectionConfig(ConnectionConfig.custom().setConnectTimeout(left).setSocketTimeout(left).build());
        connections.setSocketConfig(SocketConfig.custom().setSoTimeout(left).build());
        HttpGet request = new HttpGet(hop.uri());
        request.setConfig(RequestConfig.custom().setResponseTimeout(left).setConnectionRequestTimeout(left).build());
        AtomicBoolean expired = new AtomicBoolean();
        try (CloseableHttpClient http = HttpClients.custom().setConnectionManager(connections)
                .disableAutomaticRetries().disableRedirectHandling().disableContentCompression()
                .disableCookieManagement().disableAuthCaching().build()) {
            ScheduledFuture<?> alarm = deadlines.schedule(() -> {
                expired.set(true);
                request.cancel();
                http.close(CloseMode.IMMEDIATE);
            }, remaining, TimeUnit.NANOSECONDS);
            try (ClassicHttpResponse response = http.executeOpen(null, request, null)) {
                return read(response, maxBytes);
            } catch (IOException | RuntimeException e) {
                if (expired.get()) {
                    throw new DeadlineException(e);
                }
                throw e;
            } finally {
                alarm.cancel(false);
            }
        }
    }

    private static Response read(ClassicHttpResponse response, long maxBytes) throws IOException {
        int status = response.getCode();
        Header type = response.getFirstHeader("Content-Type");
        String contentType = type == null ? null : type.getValue();
        if (status / 100 == 3) {
            Header location = response.getFirstHeader("Location");
            return new Response(status, location == null ? null : location.getValue(), contentType, new byte[0]);
        }
        HttpEntity entity = response.getEntity();
        if (status / 100 != 2 || entity == null) {
            return new Response(status, null, contentType, new byte[0]);
        }
        if (entity.getContentLength() > maxBytes) {
            throw new IOException("larger than " + maxBytes + " bytes");
        }
        byte[] bytes;
        try (InputStream in = entity.getContent()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (bytes.length > maxBytes) {
            throw new IOException("larger than " + maxBytes + " bytes");
        }
        return new Response(status, null, contentType, bytes);
    }

    /** The fetch did not finish by its deadline. */
    public static final class DeadlineException extends IOException {
        DeadlineException(Exception cause) {
            super("fetch not finished by its deadline", cause);
        }
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
