package org.bridgeappliance.admin.auth;

import io.micronaut.http.HttpRequest;
import java.security.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * The authenticated admin of one request, put on the request by {@link AuthFilter}.
 *
 * @param sessionId the browser session's id when authenticated by cookie, else null
 */
public record AdminPrincipal(String username, Method method, String sessionId) implements Principal {
    public enum Method { BASIC, SESSION }

    /** Request attribute under which {@link AuthFilter} stores the principal. */
    public static final String ATTRIBUTE = "org.bridgeappliance.admin.principal";

    public AdminPrincipal {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(method, "method");
    }

    @Override
    public String getName() {
        return username;
    }

    /**
     * Puts the principal on the request, under {@link #ATTRIBUTE} and as Micronaut's user principal
     * ({@link HttpRequest#getUserPrincipal()}, which the health endpoint asks to decide whether to
     * show details).
     */
    public static void set(HttpRequest<?> request, AdminPrincipal principal) {
        request.setAttribute(ATTRIBUTE, principal);
        request.setUserPrincipal(principal);
    }

    public static Optional<AdminPrincipal> of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, AdminPrincipal.class);
    }

    /** The principal of a request that passed {@link AuthFilter}; a missing one is a wiring bug. */
    public static AdminPrincipal require(HttpRequest<?> request) {
        return of(request).orElseThrow(() -> new IllegalStateException("request was not authenticated"));
    }
}
