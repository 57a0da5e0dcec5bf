package org.bridgeappliance.adapter.matrix.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link JdkHttpTransport} against a loopback HTTP server (the JDK's own). */
class JdkHttpTransportTest {
    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    private String start(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", handler);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void sendsMethodPathHeadersAndBodyAndReturnsTheResponse() throws IOException {
        AtomicReference<String> seen = new AtomicReference<>();
        String base = start(exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            seen.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " " + new String(in, StandardCharsets.UTF_8));
            answer(exchange, 200, "{\"event_id\":\"$e\"}".getBytes(StandardCharsets.UTF_8));
        });
        JdkHttpTransport transport = new JdkHttpTransport(base, Duration.ofSeconds(5), 1024);
        HttpTransport.Response response = transport.execute(new HttpTransport.Request("PUT",
                "/_matrix/client/v3/rooms/%21r/send/m.room.message/t1?user_id=%40g%3Ahs",
                Map.of("Authorization", "Bearer tok"), "{\"body\":\"hi\"}".getBytes(StandardCharsets.UTF_8), null));
        assertEquals("PUT /_matrix/client/v3/rooms/%21r/send/m.room.message/t1?user_id=%40g%3Ahs Bearer tok "
                + "application/json {\"body\":\"hi\"}", seen.get());
        assertEquals(200, response.status());
        assertArrayEquals("{\"event_id\":\"$e\"}".getBytes(StandardCharsets.UTF_8), response.body());
        assertEquals("application/json", response.header("content-type").orElseThrow());
    }

    @Test
    void anErrorStatusIsAResponseNotAnException() throws IOException {
        String base = start(exchange -> answer(exchange, 429,
                "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":5}".getBytes(StandardCharsets.UTF_8)));
        HttpTransport.Response response = new JdkHttpTransport(base, Duration.ofSeconds(5), 1024)
                .execute(new HttpTransport.Request("GET", "/x", Map.of(), null, null));
        assertEquals(429, response.status());
        assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("M_LIMIT_EXCEEDED"));
    }

    @Test
    void aBodyOverTheLimitIsRefused() throws IOException {
        String base = start(exchange -> answer(exchange, 200, new byte[4096]));
        JdkHttpTransport transport = new JdkHttpTransport(base, Duration.ofSeconds(5), 1000);
        assertThrows(JdkHttpTransport.ResponseTooLargeException.class,
                () -> transport.execute(new HttpTransport.Request("GET", "/media", Map.of(), null, null)));
        // at the limit exactly it is accepted
        assertEquals(4096, new JdkHttpTransport(base, Duration.ofSeconds(5), 4096)
                .execute(new HttpTransport.Request("GET", "/media", Map.of(), null, null)).body().length);
    }

    @Test
    void aBodyThatStallsEndsWithinTheTimeout() throws IOException {
        String base = start(exchange -> {
            exchange.sendResponseHeaders(200, 100); // headers at once, then the body never comes
            exchange.getResponseBody().write(new byte[10]);
            exchange.getResponseBody().flush();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        JdkHttpTransport transport = new JdkHttpTransport(base, Duration.ofMillis(300), 1024);
        long t0 = System.nanoTime();
        assertThrows(IOException.class,
                () -> transport.execute(new HttpTransport.Request("GET", "/slow", Map.of(), null, null)));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "bounded by the timeout, not the server");
    }

    @Test
    void noServerIsAnIOException() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        JdkHttpTransport transport = new JdkHttpTransport("http://127.0.0.1:" + port, Duration.ofSeconds(2), 1024);
        assertThrows(IOException.class,
                () -> transport.execute(new HttpTransport.Request("GET", "/x", Map.of(), null, null)));
    }
}
