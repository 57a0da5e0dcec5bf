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
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link HttpTransport} on Micronaut's (Netty) HTTP client, blocking. Error statuses come back as
 * responses, not exceptions; only "no response" becomes an {@link IOException}. Streamed responses
 * ({@link #open}) go through the JDK's {@code java.net.http} client, whose body arrives as an
 * {@code InputStream} with back-pressure; Micronaut's blocking client buffers whole bodies.
 */
public final class MicronautHttpTransport implements HttpTransport {
    private final HttpClient client;
    private final URI base;
    private final Duration timeout;
    private final java.net.http.HttpClient streaming;

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
            this.base = new URL(baseUrl).toURI();
        } catch (MalformedURLException | java.net.URISyntaxException e) {
            throw new IllegalArgumentException("bad homeserver URL " + baseUrl, e);
        }
        this.timeout = timeout;
        this.streaming = java.net.http.HttpClient.newBuilder().connectTimeout(timeout)
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
    }

    /** {@inheritDoc} The timeout bounds the wait for the headers; the body then flows as fast as it is read. */
    @Override
    public StreamedResponse open(Request request) throws IOException {
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
        try {
            java.net.http.HttpResponse<java.io.InputStream> response = streaming.send(http.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            return new StreamedResponse(response.statusCode(), response.headers().map(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
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
