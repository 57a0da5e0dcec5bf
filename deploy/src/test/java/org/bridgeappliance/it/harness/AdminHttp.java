package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** One call to the running appliance's admin API as the sandbox's admin (HTTP Basic), for the integration tests. */
public final class AdminHttp {

    private AdminHttp() {
    }

    /**
     * {@code method path} with {@code json} as the body ({@code null}: none). Every call with a body, and every call
     * but a GET also without one, carries {@code Content-Type: application/json}: the admin API's CSRF rule for mutating calls.
     */
    public static HttpResponse<String> call(HttpClient http, Sandbox sandbox, String method, String path, String json) {
        String auth = Base64.getEncoder().encodeToString((sandbox.get("ADMIN_USER") + ":" + sandbox.get("ADMIN_PASSWORD"))
            .getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.get("ADMIN_URL") + path))
            .timeout(Duration.ofSeconds(20)).header("Authorization", "Basic " + auth);
        if (json != null || !method.equals("GET")) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("admin API " + method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
