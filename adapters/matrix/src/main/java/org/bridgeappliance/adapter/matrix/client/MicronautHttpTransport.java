package org.bridgeappliance.adapter.matrix.client;

import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.DefaultHttpClientConfiguration;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.ContentLengthExceededException;
import io.micronaut.http.client.exceptions.HttpClientException;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link HttpTransport} on Micronaut's (Netty) HTTP client, blocking. Error statuses come back as
 * responses, not exceptions; only "no response" becomes an {@link IOException}.
 */
public final class MicronautHttpTransport implements HttpTransport {
    private final HttpClient client;

    /**
     * @param baseUrl        the homeserver's base URL ({@code http://127.0.0.1:18008})
     * @param timeout        read and connect timeout of one exchange
     * @param maxContentLength largest response body accepted (media downloads)
     */
    public MicronautHttpTransport(String baseUrl, Duration timeout, int maxContentLength) {
        DefaultHttpClientConfiguration configuration = new DefaultHttpClientConfiguration();
        configuration.setReadTimeout(timeout);
        configuration.setConnectTimeout(timeout);
        configuration.setMaxContentLength(maxContentLength);
        configuration.setFollowRedirects(false);
        try {
            this.client = HttpClient.create(new URL(baseUrl), configuration);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("bad homeserver URL " + baseUrl, e);
        }
    }

    @Override
    public Response execute(Request request) throws IOException {
        MutableHttpRequest<Object> http = HttpRequest.create(HttpMethod.parse(request.method()), request.pathAndQuery());
        request.headers().forEach(http::header);
        if (request.body() != null) {
            http.body(request.body());
            http.contentType(MediaType.of(request.contentType() == null ? MediaType.APPLICATION_JSON
                    : request.contentType()));
        }
        try {
            HttpResponse<byte[]> response = client.toBlocking()
                    .exchange(http, Argument.of(byte[].class), Argument.of(byte[].class));
            return toResponse(response);
        } catch (HttpClientResponseException e) {
            return toResponse(e.getResponse());
        } catch (ContentLengthExceededException e) {
            throw new ResponseTooLargeException(e.getMessage());
        } catch (HttpClientException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Response toResponse(HttpResponse<?> response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.getHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
        byte[] body = response.getBody(byte[].class).orElse(new byte[0]);
        return new Response(response.code(), headers, body);
    }

    @Override
    public void close() {
        client.close();
    }

    /** The response exceeded the configured size limit; retrying will not help. */
    public static final class ResponseTooLargeException extends IOException {
        public ResponseTooLargeException(String message) {
            super(message);
        }
    }
}
