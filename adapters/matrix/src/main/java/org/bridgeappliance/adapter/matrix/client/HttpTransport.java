package org.bridgeappliance.adapter.matrix.client;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP exchange with the homeserver, with nothing Matrix-specific in it: the seam between the
 * typed {@link MatrixClient} (retries, errors, JSON) and the HTTP library. Implementations are
 * thread-safe and blocking; they must not be called on an event-loop thread.
 */
public interface HttpTransport extends AutoCloseable {

    /**
     * Performs the request and returns whatever status came back.
     *
     * @throws IOException when no response arrived (connection refused, reset, timed out)
     */
    Response execute(Request request) throws IOException;

    /**
     * Performs the request and returns once the status and headers arrived, with the body to be read as it
     * comes: for media served to other networks, which must not be held in memory whole. The caller closes
     * the returned response (which closes the body). This default buffers through {@link #execute}, for
     * transports that cannot stream (scripted ones in tests); the production transport streams.
     *
     * @throws IOException when no response arrived
     */
    default StreamedResponse open(Request request) throws IOException {
        Response response = execute(request);
        return new StreamedResponse(response.status(), response.headers(),
                new java.io.ByteArrayInputStream(response.body()));
    }

    @Override
    void close();

    /**
     * @param pathAndQuery already percent-encoded, starting with {@code /}
     * @param body         null for no body
     */
    record Request(String method, String pathAndQuery, Map<String, String> headers, byte[] body,
                   String contentType) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathAndQuery, "pathAndQuery");
            headers = Map.copyOf(headers);
        }
    }

    /** A response whose body is still arriving; closing it closes the body (and its connection). */
    record StreamedResponse(int status, Map<String, List<String>> headers, java.io.InputStream body)
            implements AutoCloseable {
        public StreamedResponse {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public Response {
            headers = Map.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }

        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }
    }
}
