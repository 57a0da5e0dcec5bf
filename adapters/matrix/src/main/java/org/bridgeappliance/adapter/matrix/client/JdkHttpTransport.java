package org.bridgeappliance.adapter.matrix.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * {@link HttpTransport} on the JDK's {@code java.net.http} client (HTTP/1.1, pooled keep-alive
 * connections, no redirects), blocking. Error statuses come back as responses, not exceptions; only
 * "no response" (refused, reset, timed out) becomes an {@link IOException}. Streamed responses
 * ({@link #open}) hand the body on as an {@code InputStream} with back-pressure; {@link #execute}
 * buffers it up to {@code maxContentLength}.
 *
 * <p>It was Micronaut's Netty client until a latency trace showed that client costing ≈ 1.3 ms more
 * per round trip to Synapse than this one (deploy/bench/README.md, "Where XMPP → Matrix's added time
 * goes").
 */
public final class JdkHttpTransport implements HttpTransport {
    private final URI base;
    private final Duration timeout;
    private final int maxContentLength;
    private final java.net.http.HttpClient streaming;

    /**
     * @param baseUrl        the homeserver's base URL ({@code http://127.0.0.1:18008})
     * @param timeout        connect timeout, and the bound of one exchange (of its headers for {@link #open})
     * @param maxContentLength largest response body {@link #execute} accepts (media downloads)
     */
    public JdkHttpTransport(String baseUrl, Duration timeout, int maxContentLength) {
        try {
            this.base = new java.net.URL(baseUrl).toURI();
        } catch (java.net.MalformedURLException | java.net.URISyntaxException e) {
            throw new IllegalArgumentException("bad homeserver URL " + baseUrl, e);
        }
        this.timeout = timeout;
        this.maxContentLength = maxContentLength;
        this.streaming = java.net.http.HttpClient.newBuilder().connectTimeout(timeout)
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
    }

    /** {@inheritDoc} The timeout bounds the wait for the headers; the body then flows as fast as it is read. */
    @Override
    public StreamedResponse open(Request request) throws IOException {
        java.net.http.HttpRequest.Builder http = builder(request);
        try {
            java.net.http.HttpResponse<java.io.InputStream> response = streaming.send(http.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            return new StreamedResponse(response.statusCode(), response.headers().map(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * {@inheritDoc} The whole exchange, body included, is bounded by the timeout; a body larger than
     * {@code maxContentLength} is cut off and reported as {@link ResponseTooLargeException}.
     */
    @Override
    public Response execute(Request request) throws IOException {
        java.net.http.HttpRequest.Builder http = builder(request);
        if (request.body() != null) {
            http.header("Content-Type", request.contentType() == null ? "application/json" : request.contentType());
        }
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<byte[]>> exchange = streaming.sendAsync(
                http.build(), info -> new LimitedBody(maxContentLength));
        try {
            java.net.http.HttpResponse<byte[]> response = exchange.get(timeout.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            return new Response(response.statusCode(), response.headers().map(), response.body());
        } catch (java.util.concurrent.TimeoutException e) {
            exchange.cancel(true);
            throw new java.net.http.HttpTimeoutException("no complete response within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ResponseTooLargeException tooLarge) {
                throw new ResponseTooLargeException(tooLarge.getMessage());
            }
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage() == null ? io.toString() : io.getMessage(), io);
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    private java.net.http.HttpRequest.Builder builder(Request request) throws IOException {
        String root = base.toString().endsWith("/") ? base.toString().substring(0, base.toString().length() - 1)
                : base.toString();
        java.net.http.HttpRequest.Builder http;
        try {
            http = java.net.http.HttpRequest.newBuilder(URI.create(root + request.pathAndQuery())).timeout(timeout);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad request path " + request.pathAndQuery(), e);
        }
        request.headers().forEach(http::header);
        http.method(request.method(), request.body() == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofByteArray(request.body()));
        return http;
    }

    /** Collects a body up to a limit; past it, cancels the stream and fails with {@link ResponseTooLargeException}. */
    private static final class LimitedBody implements java.net.http.HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final java.util.concurrent.CompletableFuture<byte[]> result = new java.util.concurrent.CompletableFuture<>();
        private java.util.concurrent.Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<java.nio.ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (java.nio.ByteBuffer item : items) {
                if ((long) bytes.size() + item.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new ResponseTooLargeException(
                            "response body larger than " + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    @Override
    public void close() {
        // The JDK client (17) has no close: its connections end with it when it is collected.
    }

    /** The response exceeded the configured size limit; retrying will not help. */
    public static final class ResponseTooLargeException extends IOException {
        public ResponseTooLargeException(String message) {
            super(message);
        }
    }
}
