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
