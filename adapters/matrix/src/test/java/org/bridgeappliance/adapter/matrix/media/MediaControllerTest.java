package org.bridgeappliance.adapter.matrix.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.adapter.matrix.MatrixAdapter;
import org.bridgeappliance.adapter.matrix.testing.RecordingIngress;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The public Matrix media endpoint on the embedded server, downloading from a local HTTP server that stands in
 * for the homeserver's media API (issue 9): bodies stream through as they arrive, and downloads beyond
 * {@code media-serve-max-concurrent} get 503 with Retry-After.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "bridge.matrix.enabled", value = "true")
@Property(name = "bridge.matrix.as-token", value = "as-media-token")
@Property(name = "bridge.matrix.hs-token", value = "hs-media-token")
@Property(name = "bridge.matrix.media-serve-max-concurrent", value = "1")
class MediaControllerTest implements TestPropertyProvider {
    /** What the homeserver's media download sends, chunk by chunk; an empty chunk ends the body. */
    final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    final HttpServer homeserver;

    @Inject
    MatrixAdapter adapter;

    @Inject
    EmbeddedServer server;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    MediaControllerTest() throws IOException {
        homeserver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        homeserver.createContext("/_matrix/client/v1/media/download/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (byte[] chunk = take(); chunk.length > 0; chunk = take()) {
                    out.write(chunk);
                    out.flush();
                }
            }
        });
        homeserver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        homeserver.start();
    }

    private byte[] take() throws IOException {
        try {
            byte[] chunk = chunks.poll(20, TimeUnit.SECONDS);
            if (chunk == null) {
                throw new IOException("the test sent no more");
            }
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of("bridge.matrix.homeserver-url", "http://127.0.0.1:" + homeserver.getAddress().getPort());
    }

    @AfterAll
    void stopHomeserver() {
        homeserver.stop(0);
    }

    @Test
    void mediaStreamsAsItArrivesAndDownloadsBeyondTheCapGet503WithRetryAfter() throws Exception {
        adapter.start(new AdapterContext(new RecordingIngress(), (n, s) -> { }, InMemoryStores.create(),
                Clock.systemUTC()));
        URI link = URI.create("http://127.0.0.1:" + server.getPort()
                + adapter.mediaLinks().orElseThrow().link("mxc://matrix.test/abc").getRawPath());
        HttpRequest get = HttpRequest.newBuilder(link).timeout(Duration.ofSeconds(20)).GET().build();

        chunks.add(bytes("first "));
        // The homeserver's body is still open: only an endpoint that streams can answer now.
        HttpResponse<InputStream> first = http.sendAsync(get, HttpResponse.BodyHandlers.ofInputStream())
                .get(10, TimeUnit.SECONDS);
        assertEquals(200, first.statusCode());
        assertEquals("nosniff", first.headers().firstValue("X-Content-Type-Options").orElse(""));

        HttpResponse<String> busy = http.send(get, HttpResponse.BodyHandlers.ofString());
        assertEquals(503, busy.statusCode(), "the one download slot is taken");
        assertEquals(String.valueOf(MediaController.RETRY_AFTER_SECONDS), busy.headers().firstValue("Retry-After")
                .orElse(""));

        chunks.add(bytes("rest"));
        chunks.add(new byte[0]);
        try (InputStream body = first.body()) {
            assertEquals("first rest", new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }

        // The slot comes back once the server has closed the finished stream (at once or a moment later).
        chunks.add(bytes("again"));
        chunks.add(new byte[0]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<String> again = http.send(get, HttpResponse.BodyHandlers.ofString());
        while (again.statusCode() == 503 && System.nanoTime() < deadline) {
            again = http.send(get, HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(200, again.statusCode());
        assertEquals("again", again.body());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
