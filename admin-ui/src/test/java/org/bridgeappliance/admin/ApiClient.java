package org.bridgeappliance.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A plain JDK HTTP client for the admin API tests: raw status codes and headers, JSON as a tree. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final Map<String, String> headers = new LinkedHashMap<>();

    ApiClient(URI base) {
        this.base = base;
    }

    ApiClient basic(String user, String password) {
        headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    ApiClient header(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
        return this;
    }

    Response get(String path) {
        return send("GET", path, null, "application/json");
    }

    Response delete(String path) {
        return send("DELETE", path, null, "application/json");
    }

    Response post(String path, Object body) {
        return send("POST", path, body, "application/json");
    }

    Response put(String path, Object body) {
        return send("PUT", path, body, "application/json");
    }

    Response send(String method, String path, Object body, String contentType) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
            headers.forEach(b::header);
            if (body == null) {
                if (contentType != null && !method.equals("GET") && !method.equals("HEAD")) {
                    // Mutating calls need it even without a body (AuthFilter's cross-site request forgery rule).
                    b.header("Content-Type", contentType);
                }
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                String text = body instanceof String s ? s : JSON.writeValueAsString(body);
                if (contentType != null) {
                    b.header("Content-Type", contentType);
                }
                b.method(method, HttpRequest.BodyPublishers.ofString(text));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Response(HttpResponse<String> raw) {
        int status() {
            return raw.statusCode();
        }

        String body() {
            return raw.body();
        }

        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + raw.body(), e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return raw.statusCode() + " " + raw.body();
        }
    }
}
