package org.bridgeappliance.admin.auth;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * Identifies admins on the health endpoint ({@code /health} and its liveness/readiness paths), so
 * that {@code endpoints.health.details-visible: AUTHENTICATED} shows details (adapter states,
 * internal URLs, disk figures) only to them, while load balancers and scripts without credentials
 * still get the status.
 *
 * <p>Credentials are the admin API's (HTTP Basic, same throttling; the session cookie too, though
 * browsers send it only under {@code /api/v1}, its path); none at
 * all is fine (status only), wrong ones are 401 and throttled ones 429 rather than silently
 * anonymous, so a misconfigured monitor notices. The principal reaches the endpoint through
 * {@link HttpRequest#getUserPrincipal()} and {@link PrincipalArgumentBinder}.
 */
@ServerFilter({"/health", "/health/**"})
public class HealthAuthFilter {
    private final AuthFilter auth;

    public HealthAuthFilter(AuthFilter auth) {
        this.auth = auth;
    }

    /** Runs on a blocking thread: the credential check may cost a PBKDF2 derivation and a JDBC query. */
    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    public HttpResponse<?> identify(HttpRequest<?> request) {
        return auth.identify(request, false, false);
    }
}
