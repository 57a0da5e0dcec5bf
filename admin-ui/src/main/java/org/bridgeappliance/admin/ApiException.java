package org.bridgeappliance.admin;

import io.micronaut.http.HttpStatus;
import java.util.Objects;

/**
 * An error the admin API answers with a JSON {@link ApiError} body: bad input (400 naming the
 * field), unknown id (404), conflict (409), and so on. Its message is shown to the client, so it
 * never contains secrets or internals.
 */
public final class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String field;

    public ApiException(HttpStatus status, String message, String field) {
        super(message, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, message, field);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, message, null);
    }

    public static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, message, null);
    }

    public HttpStatus status() {
        return status;
    }

    /** The offending request field as a JSON path ({@code portals[0].room}), or null. */
    public String field() {
        return field;
    }
}
