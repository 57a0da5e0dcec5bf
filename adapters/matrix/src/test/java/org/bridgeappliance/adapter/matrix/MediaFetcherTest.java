package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fetching remote attachments: size limit, redirects checked hop by hop, no link-local or metadata hosts, internal
 * addresses only when allowed or under a trusted prefix (server-side request forgery).
 */
class MediaFetcherTest {
    final MatrixClient client = new MatrixClient(new FakeHomeserver("@b:m"), "as", 1, Duration.ofSeconds(1), d -> { });
    final java.util.concurrent.atomic.AtomicInteger fileHits = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server;
    String base;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/file", x -> {
            fileHits.incrementAndGet();
            byte[] body = "hello".getBytes();
            x.getResponseHeaders().add("Content-Type", "text/plain");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/big", x -> {
            x.sendResponseHeaders(200, 0);
            x.getResponseBody().write(new byte[5000]);
            x.close();
        });
        server.createContext("/to-metadata", x -> {
            x.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/to-file", x -> {
            x.getResponseHeaders().add("Location", "/file");
            x.sendResponseHeaders(301, -1);
            x.close();
        });
        server.createContext("/host", x -> {
            byte[] body = String.valueOf(x.getRequestHeaders().getFirst("Host")).getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/to-rebound-host", x -> {
            x.getResponseHeaders().add("Location", "http://second.rebind.test:" + server.getAddress().getPort() + "/host");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/trusted/", x -> {
            String path = x.getRequestURI().getRawPath();
            if (path.endsWith("/to-outside")) {
                x.getResponseHeaders().add("Location", "/file"); // same host, outside the trusted prefix
                x.sendResponseHeaders(302, -1);
            } else if (path.endsWith("/to-inside")) {
                x.getResponseHeaders().add("Location", "/trusted/avatar.png");
                x.sendResponseHeaders(302, -1);
            } else {
                byte[] body = ("trusted " + path).getBytes();
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            }
            x.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void fetchesAndFollowsSafeRedirects() throws Exception {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true);
        assertArrayEquals("hello".getBytes(), fetcher.fetch(URI.create(base + "/file")).bytes());
        assertArrayEquals("hello".getBytes(), fetcher.fetch(URI.create(base + "/to-file")).bytes());
    }

    @Test
    void refusesMetadataAddressesEvenThroughRedirects() {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true);
        IOException direct = assertThrows(IOException.class,
                () -> fetcher.fetch(URI.create("http://169.254.169.254/latest/meta-data/")));
        assertTrue(direct.getMessage().contains("169.254.169.254"), direct.getMessage());
        assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/to-metadata")));
    }

    @Test
    void refusesPrivateHostsWhenConfiguredAndOtherSchemesAlways() {
        MediaFetcher strict = new MediaFetcher(client, 1000, Duration.ofSeconds(5), false);
        assertThrows(IOException.class, () -> strict.fetch(URI.create(base + "/file")));
        assertThrows(IOException.class, () -> strict.fetch(URI.create("file:///etc/passwd")));
        assertThrows(IOException.class, () -> strict.fetch(URI.create("ftp://example.org/x")));
    }

    @Test
    void privateAddressesAreRefusedByDefault() {
        for (MediaFetcher strict : List.of(new MediaFetcher(client, 1000, Duration.ofSeconds(5)),
                new MediaFetcher(client, 1000, Duration.ofSeconds(5), false, List.of()))) {
            IOException e = assertThrows(IOException.class, () -> strict.fetch(URI.create(base + "/file")));
            assertTrue(e.getMessage().contains("private address 127.0.0.1"), e.getMessage());
            assertThrows(IOException.class, () -> strict.fetch(URI.create("http://localhost:1/file")));
        }
        assertEquals(0, fileHits.get(), "the server was never asked");
    }

    @Test
    void urlsUnderATrustedPrefixAreFetchedFromLoopback() throws Exception {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), false,
                List.of(base + "/trusted/"));
        assertEquals("trusted /trusted/avatar/x@y/abc", new String(
                fetcher.fetch(URI.create(base + "/trusted/avatar/x@y/abc")).bytes()));
        // the same URL written differently: scheme and host case; dot segments that stay inside the prefix
        assertEquals("trusted /trusted/b", new String(
                fetcher.fetch(URI.create(base.replace("http://", "HTTP://") + "/trusted/a/../b")).bytes()));
        // a redirect that stays under the prefix is followed
        assertEquals("trusted /trusted/avatar.png", new String(
                fetcher.fetch(URI.create(base + "/trusted/to-inside")).bytes()));
        // the rest of the same host stays refused
        assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/file")));
        assertEquals(0, fileHits.get());
    }

    @Test
    void urlsThatOnlyLookLikeTheyAreUnderTheTrustedPrefixAreRefused() {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), false,
                List.of(base + "/trusted/"));
        int port = server.getAddress().getPort();
        for (String trick : List.of(
                base + "/trusted/../file",                    // normalizes to /file
                base + "/trusted/./../file",
                base + "/trusted/%2e%2e/file",                // a decoding server would climb out
                base + "/trusted/..%2ffile",
                base + "/trusted/..%5cfile",
                base + "/trustedfile",                        // not under "/trusted/"
                "http://127.0.0.1:" + port + "@localhost:" + port + "/trusted/x",   // user info
                "http://localhost:" + port + "/trusted/x")) { // another name for the same host: not the prefix
            assertThrows(IOException.class, () -> fetcher.fetch(URI.create(trick)), trick);
        }
        assertEquals(0, fileHits.get());
        assertFalse(fetcher.isTrusted(URI.create(base + "/trusted/../file")));
        assertTrue(fetcher.isTrusted(URI.create(base + "/trusted/x#frag")));
    }

    @Test
    void aRedirectFromATrustedPrefixToAnInternalAddressIsRefused() {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), false,
                List.of(base + "/trusted/"));
        IOException e = assertThrows(IOException.class,
                () -> fetcher.fetch(URI.create(base + "/trusted/to-outside")));
        assertTrue(e.getMessage().contains("private address"), e.getMessage());
        assertEquals(0, fileHits.get(), "the redirect target was never requested");
        // with private hosts allowed the same redirect is fine (on-premises mode)
        MediaFetcher onPremises = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true, List.of());
        assertThrows(IOException.class, () -> onPremises.fetch(URI.create("http://169.254.169.254/")));
    }

    @Test
    void badTrustedPrefixesAreRejectedNamingTheEntry() {
        for (String bad : List.of("", "not a url", "/relative/path/", "ftp://host/x/", "http:///nohost/",
                "http://user@host/x/", "http://host/x/?q=1", "http://host/x/#f", "http://host/a/../b/",
                "http://host/%2e%2e/", "http://host/avatar")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MediaFetcher.validatePrefixes(List.of("https://ok.example/media/", bad)), bad);
            assertTrue(e.getMessage().contains("media-trusted-url-prefixes") && e.getMessage().contains("\"" + bad + "\""),
                    e.getMessage());
        }
        assertEquals(List.of("https://ok.example/media/", "http://h:8080/", "https://h/"),
                MediaFetcher.validatePrefixes(List.of("https://OK.example:443/media/", "http://h:8080", "HTTPS://h/")));
    }

    @Test
    void refusesTooLargeContent() {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true);
        assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/big")));
    }

    @Test
    void theSharedGuardsStricterAddressClassesApply() {
        MediaFetcher onPremises = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true, List.of());
        // IPv4-mapped metadata and "this network" are refused even with private hosts allowed
        for (String url : List.of("http://[::ffff:169.254.169.254]/", "http://0.0.0.0:1/", "http://0.1.2.3/")) {
            assertThrows(IOException.class, () -> onPremises.fetch(URI.create(url)), url);
        }
        // carrier-grade NAT (RFC 6598) is internal: refused by default, before any connection
        MediaFetcher strict = new MediaFetcher(client, 1000, Duration.ofSeconds(5));
        IOException e = assertThrows(IOException.class, () -> strict.fetch(URI.create("http://100.64.0.1/x")));
        assertTrue(e.getMessage().contains("private address 100.64.0.1 (not under " + MediaFetcher.PREFIXES_KEY + ")"),
                e.getMessage());
    }

    /**
     * Issue 9 item 5 (DNS rebinding): the name is resolved once, checked, and the connection goes to exactly
     * the checked address. The names here resolve only through the test's resolver (the system cannot resolve
     * them), and the resolver answers the metadata address from its second question on: a client that
     * resolved the name again would fail or reach 169.254.169.254.
     */
    @Test
    void aFetchConnectsToTheAddressItCheckedNotToASecondLookup() throws Exception {
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> asked = new java.util.concurrent.ConcurrentHashMap<>();
        org.bridgeappliance.core.net.UrlSafety.Resolver rebinding = host -> {
            int n = asked.computeIfAbsent(host, h -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            return new java.net.InetAddress[] {java.net.InetAddress.getByName(n == 1 ? "127.0.0.1" : "169.254.169.254")};
        };
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true, List.of(), rebinding);
        int port = server.getAddress().getPort();

        byte[] host = fetcher.fetch(URI.create("http://first.rebind.test:" + port + "/host")).bytes();
        assertEquals("first.rebind.test:" + port, new String(host), "the Host header names the URL's host");
        byte[] redirected = fetcher.fetch(URI.create("http://hop.rebind.test:" + port + "/to-rebound-host")).bytes();
        assertEquals("second.rebind.test:" + port, new String(redirected), "the redirect hop is pinned too");
        // first.rebind.test now answers the metadata address: refused at the check, never connected to
        IOException third = assertThrows(IOException.class,
                () -> fetcher.fetch(URI.create("http://first.rebind.test:" + port + "/host")));
        assertTrue(third.getMessage().contains("169.254.169.254"), third.getMessage());
        assertEquals(2, asked.get("first.rebind.test").get(), "one look-up per fetch");
        assertEquals(1, asked.get("hop.rebind.test").get(), "one look-up per hop");
        assertEquals(1, asked.get("second.rebind.test").get(), "one look-up for the redirect target");
    }

    /**
     * Issue 9 item 6: one deadline on the whole fetch, body included. The server sends its headers at once and
     * then one byte every 100 ms (each read succeeds well within any per-read timeout); the fetch must give up
     * at its 1 s deadline, not when the 1,000 bytes are through 100 s later.
     */
    @Test
    void aSlowDripBodyIsCutOffAtTheFetchDeadline() throws Exception {
        try (org.bridgeappliance.core.testing.SlowDripServer slow =
                new org.bridgeappliance.core.testing.SlowDripServer("application/octet-stream")) {
            MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(1), true);
            long start = System.nanoTime();
            IOException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(6),
                    () -> assertThrows(IOException.class,
                            () -> fetcher.fetch(URI.create(slow.base() + "drip"))));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis >= 900 && millis < 2500, "gave up after " + millis + " ms: " + e);
        }
    }
}
