package org.bridgeappliance.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on loopback for fetch-deadline tests: it answers one request with its headers at once
 * ({@code Content-Length: 1000}), then one body byte every 100 ms, so every read succeeds well within any
 * per-read timeout and only a deadline over the whole fetch ends it early. Close it to stop dripping.
 */
public final class SlowDripServer implements AutoCloseable {
    private final ServerSocket socket;
    private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

    /** Starts listening on 127.0.0.1 and answers the first request with {@code contentType}. */
    public SlowDripServer(String contentType) throws IOException {
        socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        drip.execute(() -> {
            try {
                Socket s = socket.accept();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    // the request's head
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Length: 1000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                drip.scheduleAtFixedRate(() -> {
                    try {
                        out.write('x');
                        out.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e); // the fetcher hung up: stop dripping
                    }
                }, 100, 100, TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                // closed before a request came
            }
        });
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public String base() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/";
    }

    @Override
    public void close() throws IOException {
        drip.shutdownNow();
        socket.close();
    }
}
