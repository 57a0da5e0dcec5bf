package org.bridgeappliance.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * The body of every error the admin API produces itself.
 *
 * @param message what went wrong, for a human
 * @param field   the request field at fault as a JSON path ({@code portals[0].room}), when one is
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String message, @Nullable String field) {
    public static ApiError of(String message) {
        return new ApiError(message, null);
    }
}
