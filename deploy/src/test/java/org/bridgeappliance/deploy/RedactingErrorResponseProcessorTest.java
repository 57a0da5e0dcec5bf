package org.bridgeappliance.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 500 bodies never carry an exception's message; 404 bodies keep Micronaut's description. */
class RedactingErrorResponseProcessorTest {
    static final String SECRET = "jdbc:h2:file:/secret/path;PASSWORD=hunter2";

    @Controller("/test-only/boom")
    @Requires(property = "test.boom-controller", value = "true")
    static class BoomController {
        @Get
        String boom() {
            throw new IllegalStateException(SECRET);
        }
    }

    @Test
    void serverErrorsHideTheExceptionMessage(@TempDir Path dataDir) throws Exception {
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1, "bridge.data-dir", dataDir.toString(),
                "test.boom-controller", "true"))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> boom = http.send(HttpRequest.newBuilder(server.getURI().resolve("/test-only/boom"))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, boom.statusCode());
            assertFalse(boom.body().contains("hunter2"), boom.body());
            assertTrue(boom.body().contains(RedactingErrorResponseProcessor.SERVER_ERROR_MESSAGE), boom.body());

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(server.getURI().resolve("/no/such/page"))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("Not Found"), missing.body());
        }
    }
}
