package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fetching remote attachments: size limit, redirects checked hop by hop, no link-local or metadata hosts. */
class MediaFetcherTest {
    final MatrixClient client = new MatrixClient(new FakeHomeserver("@b:m"), "as", 1, Duration.ofSeconds(1), d -> { });
    HttpServer server;
    String base;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/file", x -> {
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
    void refusesTooLargeContent() {
        MediaFetcher fetcher = new MediaFetcher(client, 1000, Duration.ofSeconds(5), true);
        assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/big")));
    }
}
