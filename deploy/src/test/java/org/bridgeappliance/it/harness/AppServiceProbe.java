package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A test-only Matrix application service: an HTTP listener on the URL of the sandbox's probe registration
 * (MATRIX_PROBE_AS_URL, namespace {@code @_probe_.*}), recording every transaction Synapse pushes
 * (PUT /_matrix/app/v1/transactions/{txnId}, spec "Application Service API", v1.4+ Authorization header).
 *
 * <p>Requests whose {@code Authorization: Bearer} token is not the probe's hs_token get 403 M_FORBIDDEN (compared
 * in constant time) and are recorded as rejected. Bodies over 1 MiB get 413. Handlers run on the listener's own
 * thread; {@link #awaitTransaction} blocks the test thread until a match or the timeout.
 */
public final class AppServiceProbe implements AutoCloseable {

    private static final int MAX_BODY = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One pushed transaction: its id, the Authorization header as received, the parsed body. */
    public record Transaction(String txnId, String authorization, boolean authorized, JsonNode body) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] expectedAuth;
    private final List<Transaction> transactions = new ArrayList<>();

    private AppServiceProbe(HttpServer server, ExecutorService executor, String hsToken) {
        this.server = server;
        this.executor = executor;
        this.expectedAuth = ("Bearer " + hsToken).getBytes(StandardCharsets.UTF_8);
    }

    /** Starts the listener on 127.0.0.1:MATRIX_PROBE_AS_PORT; fails clearly if the port is taken. */
    public static AppServiceProbe start(Sandbox sandbox) {
        int port = sandbox.getInt("MATRIX_PROBE_AS_PORT");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        } catch (BindException e) {
            throw new IllegalStateException("port 127.0.0.1:" + port + " (MATRIX_PROBE_AS_PORT) is in use by another "
                + "process; the probe application service of the sandbox needs it", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port, e);
        }
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "as-probe");
            t.setDaemon(true);
            return t;
        });
        AppServiceProbe probe = new AppServiceProbe(server, ex, sandbox.get("MATRIX_PROBE_HS_TOKEN"));
        server.createContext("/", probe::handle);
        server.setExecutor(ex);
        server.start();
        return probe;
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            boolean authorized = auth != null
                && MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), expectedAuth);
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                respond(x, 413, "{\"errcode\":\"M_TOO_LARGE\"}");
                return;
            }
            String prefix = "/_matrix/app/v1/transactions/";
            if ("PUT".equals(x.getRequestMethod()) && path.startsWith(prefix)) {
                JsonNode json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
                synchronized (transactions) {
                    transactions.add(new Transaction(path.substring(prefix.length()), auth, authorized, json));
                    transactions.notifyAll();
                }
            }
            if (!authorized) {
                respond(x, 403, "{\"errcode\":\"M_FORBIDDEN\"}");
            } else if (path.startsWith("/_matrix/app/v1/")) {
                // transactions, ping, user/room queries: all acknowledged with an empty object
                respond(x, 200, "{}");
            } else {
                respond(x, 404, "{\"errcode\":\"M_UNRECOGNIZED\"}");
            }
        }
    }

    private static void respond(HttpExchange x, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    /** Waits until a pushed transaction contains an event matching {@code match}; returns that transaction. */
    public Transaction awaitTransaction(Predicate<JsonNode> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (transactions) {
            while (true) {
                for (Transaction t : transactions) {
                    for (JsonNode e : t.body().path("events")) {
                        if (match.test(e)) {
                            return t;
                        }
                    }
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new AssertionError("Synapse pushed no matching event to the probe AS within " + timeout
                        + "; transactions seen: " + transactions.size());
                }
                try {
                    transactions.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    public List<Transaction> transactions() {
        synchronized (transactions) {
            return List.copyOf(transactions);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
