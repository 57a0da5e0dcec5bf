package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.AdminConfig;
import org.bridgeappliance.admin.ApiError;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.admin.api.Dtos.LoginRequest;
import org.bridgeappliance.admin.api.Dtos.SessionDto;
import org.bridgeappliance.admin.auth.AdminAuthenticator;
import org.bridgeappliance.admin.auth.AdminPrincipal;
import org.bridgeappliance.admin.auth.AuthFilter;
import org.bridgeappliance.admin.auth.ClientAddresses;
import org.bridgeappliance.admin.auth.SessionStore;

/**
 * Browser sessions: log in with JSON credentials to get an HttpOnly, SameSite=Strict cookie and a
 * CSRF token to send in {@value AdminApi#CSRF_HEADER} on every mutating call; log out with DELETE.
 *
 * <p>The cookie is {@code Secure} unless {@code bridge.admin.cookie-secure} is {@code AUTO} and the
 * client did not come over HTTPS ({@link ClientAddresses#isHttps}: this server's TLS, or a trusted
 * proxy's {@code X-Forwarded-Proto}). Browsers keep a {@code Secure} cookie only from secure
 * origins: HTTPS, and for Chromium (checked with version 156) also {@code http://localhost} and
 * {@code http://127.0.0.1}, which the W3C Secure Contexts spec (§3.1) counts as potentially
 * trustworthy; any other plain-http address needs {@code AUTO}.
 */
@Controller(AdminApi.BASE + "/session")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "session", description = "Login and logout for the web UI")
public class SessionController {
    private final AdminAuthenticator authenticator;
    private final SessionStore sessions;
    private final Auditor auditor;
    private final AdminConfig config;
    private final ClientAddresses clients;

    public SessionController(AdminAuthenticator authenticator, SessionStore sessions, Auditor auditor,
                             AdminConfig config, ClientAddresses clients) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.auditor = auditor;
        this.config = config;
        this.clients = clients;
    }

    @Post
    @SecurityRequirements
    @Operation(operationId = "login", summary = "Log in; sets the session cookie and returns the CSRF token")
    @ApiResponse(responseCode = "200", description = "logged in")
    @ApiResponse(responseCode = "401", description = "bad credentials")
    @ApiResponse(responseCode = "429", description = "too many failed attempts; see Retry-After")
    @ApiResponse(responseCode = "503", description = "too many password checks in progress; see Retry-After")
    public HttpResponse<?> login(@Nullable @Body LoginRequest body, HttpRequest<?> request) {
        if (body == null || body.username() == null || body.password() == null) {
            return HttpResponse.badRequest(new ApiError("username and password are required",
                    body == null || body.username() == null ? "username" : "password"));
        }
        String client = clients.clientAddress(request);
        AdminAuthenticator.Result result = authenticator.authenticate(body.username(), body.password(), client, false);
        if (!(result instanceof AdminAuthenticator.Result.Success success)) {
            return AuthFilter.refusal(request, result);
        }
        SessionStore.Session session = sessions.create(success.username());
        auditor.record(success.username(), "session.login", "admin:" + success.username(),
                "from " + client);
        Cookie cookie = Cookie.of(AdminApi.SESSION_COOKIE, session.id())
                .httpOnly(true)
                .sameSite(SameSite.Strict)
                .path(AdminApi.BASE)
                .maxAge(sessions.maxAge())
                .secure(secure(request));
        return HttpResponse.ok(new SessionDto(session.username(), "SESSION", session.csrfToken(),
                sessions.expiresAt(session).toString())).cookie(cookie);
    }

    @Get
    @Operation(operationId = "currentSession", summary = "Who is logged in; for cookie sessions also the CSRF token (e.g. after a page reload)")
    public SessionDto current(HttpRequest<?> request) {
        AdminPrincipal principal = AdminPrincipal.require(request);
        if (principal.method() == AdminPrincipal.Method.SESSION) {
            return sessions.find(principal.sessionId())
                    .map(s -> new SessionDto(s.username(), "SESSION", s.csrfToken(), sessions.expiresAt(s).toString()))
                    .orElseGet(() -> new SessionDto(principal.username(), "SESSION", null, null));
        }
        return new SessionDto(principal.username(), principal.method().name(), null, null);
    }

    @Delete
    @Operation(operationId = "logout", summary = "Log out: ends the session and clears the cookie")
    @ApiResponse(responseCode = "204", description = "logged out")
    public MutableHttpResponse<Void> logout(HttpRequest<?> request) {
        AdminPrincipal principal = AdminPrincipal.require(request);
        if (principal.method() == AdminPrincipal.Method.SESSION) {
            sessions.invalidate(principal.sessionId());
            auditor.record(principal.username(), "session.logout", "admin:" + principal.username(), "");
        }
        return HttpResponse.<Void>noContent().cookie(Cookie.of(AdminApi.SESSION_COOKIE, "")
                .httpOnly(true).sameSite(SameSite.Strict).path(AdminApi.BASE).maxAge(0).secure(secure(request)));
    }

    private boolean secure(HttpRequest<?> request) {
        return switch (config.getCookieSecure()) {
            case ALWAYS -> true;
            case AUTO -> clients.isHttps(request);
        };
    }
}
