package org.bridgeappliance.deploy;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces Micronaut's default error body for every endpoint of the appliance (health, Matrix AS
 * endpoints, anything without its own handler): Micronaut quotes the exception message in a 500's
 * body, and exception messages may carry internal detail (SQL, file paths, configuration values).
 * Server errors get a fixed message and are logged here with their cause; client errors (4xx) keep
 * Micronaut's message, which describes the request, not the server.
 */
@Primary
@Singleton
public class RedactingErrorResponseProcessor implements ErrorResponseProcessor<Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RedactingErrorResponseProcessor.class);
    static final String SERVER_ERROR_MESSAGE = "Internal Server Error";

    private final JsonErrorResponseBodyProvider<?> json;

    public RedactingErrorResponseProcessor(JsonErrorResponseBodyProvider<?> json) {
        this.json = json;
    }

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<Object> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        ErrorContext shown = context;
        if (response.code() >= 500) {
            context.getRootCause().ifPresent(cause -> LOG.error("{} {} failed with {}", context.getRequest().getMethod(),
                    context.getRequest().getPath(), response.code(), cause));
            shown = ErrorContext.builder(context.getRequest()).errorMessage(SERVER_ERROR_MESSAGE).build();
        }
        MutableHttpResponse<Object> out = (MutableHttpResponse<Object>) response;
        if (context.getRequest().getMethod() == HttpMethod.HEAD) {
            return out;
        }
        return out.body(json.body(shown, response)).contentType(json.contentType());
    }
}
