package org.bridgeappliance.admin;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.security.SecuritySchemes;

/**
 * The admin JSON API of the appliance, under {@value #BASE}. Also the anchor of its OpenAPI
 * description (generated at compile time by micronaut-openapi into {@code META-INF/swagger/}).
 *
 * <p>Authentication: HTTP Basic for scripts, or a session cookie for the browser UI (obtained with
 * {@code POST /api/v1/session}); cookie-authenticated mutating calls also need the session's CSRF
 * token in {@value #CSRF_HEADER}. Every mutating call, whatever its authentication, must be
 * {@code Content-Type: application/json} (also a bodiless DELETE) or carry {@value #CSRF_HEADER}
 * (any value for HTTP Basic): 415 for another content type, 403 for none. See
 * {@link org.bridgeappliance.admin.auth.AuthFilter}.
 */
@OpenAPIDefinition(
        info = @Info(title = "Bridge appliance admin API", version = "1",
                description = "Room mappings, puppets, identity links, adapter states, audit log and admin"
                        + " accounts of the XMPP-Matrix-SIP bridge appliance. Errors are JSON {message, field}."
                        + " Every POST, PUT, PATCH and DELETE must be Content-Type: application/json (also without a"
                        + " body) or carry the X-CSRF-Token header (the session's token for cookie sessions, any value"
                        + " for HTTP Basic): another content type is 415, none is 403. Failed logins are throttled per"
                        + " client address (429 with Retry-After); too many password checks at once are 503 with"
                        + " Retry-After.",
                license = @License(name = "Apache-2.0")),
        security = {@SecurityRequirement(name = "basicAuth"), @SecurityRequirement(name = "sessionCookie")})
@SecuritySchemes({
        @SecurityScheme(name = "basicAuth", type = SecuritySchemeType.HTTP, scheme = "basic"),
        @SecurityScheme(name = "sessionCookie", type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.COOKIE,
                paramName = AdminApi.SESSION_COOKIE,
                description = "From POST /api/v1/session (HttpOnly, SameSite=Strict, Secure unless"
                        + " bridge.admin.cookie-secure is AUTO on plain http); mutating calls also need the X-CSRF-Token header")
})
public final class AdminApi {
    public static final String BASE = "/api/v1";
    public static final String SESSION_COOKIE = "bridge_admin_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Where the OpenAPI document is served (public: it describes the open-source API, no instance data). */
    public static final String OPENAPI_PATH = BASE + "/openapi.yml";

    private AdminApi() {
    }
}
