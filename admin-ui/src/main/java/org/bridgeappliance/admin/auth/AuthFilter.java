package org.bridgeappliance.admin.auth;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.AdminConfig;
import org.bridgeappliance.admin.ApiError;

/**
 * Authentication, CSRF protection and body limits for everything under {@code /api/v1}.
 *
 * <p>Why a small filter and not micronaut-security: the API needs exactly HTTP Basic, an in-memory
 * cookie session with a per-session CSRF token compared in constant time, login throttling and a
 * browser-friendly 401. micronaut-security would bring its own session module (micronaut-session),
 * its own CSRF filter with different token rules, and authentication providers built around
 * reactive types, all to be configured and then bent to these rules; this class is ~250 lines that
 * say exactly what happens and are tested directly.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>Request bodies above {@code bridge.admin.max-body-bytes} are refused with 413, bodies of
 *       unknown length (chunked) on mutating calls with 411: the server-wide
 *       {@code micronaut.server.max-request-size} must be larger for Matrix transaction pushes.</li>
 *   <li>Every mutating call (POST, PUT, PATCH, DELETE), whatever its authentication and including
 *       login and setup, must be {@code Content-Type: application/json} or carry an
 *       {@value AdminApi#CSRF_HEADER} header: another content type is refused with 415, none at all
 *       (and no such header) with 403. Another site can make a browser send a request without a
 *       CORS preflight only with a CORS-safelisted content type (form, text/plain) or none
 *       ({@code navigator.sendBeacon} of an untyped Blob, an ArrayBuffer or nothing), and never
 *       with a custom header; the browser would attach HTTP Basic credentials it has cached for
 *       this site. So this closes cross-site request forgery for every authentication method; the
 *       session cookie is SameSite=Strict besides.</li>
 *   <li>Login ({@code POST /api/v1/session}), setup ({@code /api/v1/setup}) and the OpenAPI
 *       document need no credentials.</li>
 *   <li>An {@code Authorization: Basic} header is checked (throttled; 429 with Retry-After when
 *       locked, 503 with Retry-After when too many password checks run already); otherwise the
 *       session cookie. Cookie-authenticated mutating calls need the session's CSRF token in
 *       {@code X-CSRF-Token} (403 without it).</li>
 * </ol>
 *
 * <p>401 challenge: RFC 9110 §11.6.1 requires a {@code WWW-Authenticate} header, and a
 * {@code Basic} one makes browsers show their own password dialog, which must not pop up over the
 * web UI. So requests that look like the UI's (they carry {@code X-Requested-With}, as the UI's
 * fetch calls do, or a session cookie, or are the JSON login itself, or accept only
 * {@code text/event-stream} as a browser's {@code EventSource} does, which cannot set headers) get a non-Basic challenge
 * {@code Session realm="bridge-admin"}; everything else (curl, scripts) gets
 * {@code Basic realm="bridge-admin", charset="UTF-8"}.
 *
 * <p>The client address used for throttling is decided by {@link ClientAddresses}: the TCP peer,
 * or what a configured trusted proxy says ({@code bridge.admin.trusted-proxies}).
 */
@ServerFilter(AdminApi.BASE + "/**")
public class AuthFilter {
    static final String BASIC_CHALLENGE = "Basic realm=\"bridge-admin\", charset=\"UTF-8\"";
    static final String SESSION_CHALLENGE = "Session realm=\"bridge-admin\"";
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE);

    private final AdminAuthenticator authenticator;
    private final SessionStore sessions;
    private final ClientAddresses clients;
    private final int maxBodyBytes;

    public AuthFilter(AdminAuthenticator authenticator, SessionStore sessions, ClientAddresses clients,
                      AdminConfig config) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.clients = clients;
        this.maxBodyBytes = config.getMaxBodyBytes();
    }

    /** Runs on a blocking thread: the credential check may cost a PBKDF2 derivation and a JDBC query. */
    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    public HttpResponse<?> authenticate(HttpRequest<?> request) {
        boolean mutating = !SAFE.contains(request.getMethod());
        long length = request.getContentLength();
        if (length > maxBodyBytes) {
            return error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + maxBodyBytes + " bytes");
        }
        if (mutating && length < 0 && request.getHeaders().contains(HttpHeaders.TRANSFER_ENCODING)) {
            return error(HttpStatus.LENGTH_REQUIRED, "request body needs a Content-Length");
        }
        if (mutating) {
            HttpResponse<?> refused = refuseForgeable(request);
            if (refused != null) {
                return refused;
            }
        }
        if (isPublic(request)) {
            return null;
        }
        return identify(request, mutating, true);
    }

    /**
     * Authenticates by {@code Authorization: Basic} or the session cookie and puts the
     * {@link AdminPrincipal} on the request. Blocking (PBKDF2, JDBC).
     *
     * @param required whether a request without any credentials is refused (401) or passes anonymously
     * @return the error response, or null to go on (authenticated, or anonymous when allowed)
     */
    @Nullable
    HttpResponse<?> identify(HttpRequest<?> request, boolean mutating, boolean required) {
        Optional<String> authorization = request.getHeaders().getAuthorization();
        if (authorization.isPresent()) {
            return basic(request, authorization.get());
        }
        Optional<Cookie> cookie = request.getCookies().findCookie(AdminApi.SESSION_COOKIE);
        if (cookie.isPresent()) {
            Optional<SessionStore.Session> session = sessions.find(cookie.get().getValue());
            if (session.isEmpty()) {
                return unauthorized(request, "session expired or unknown; log in again");
            }
            if (mutating && !Tokens.equal(session.get().csrfToken(),
                    request.getHeaders().get(AdminApi.CSRF_HEADER))) {
                return error(HttpStatus.FORBIDDEN, "missing or invalid " + AdminApi.CSRF_HEADER + " header");
            }
            AdminPrincipal.set(request,
                    new AdminPrincipal(session.get().username(), AdminPrincipal.Method.SESSION, session.get().id()));
            return null;
        }
        return required ? unauthorized(request, "authentication required") : null;
    }

    /**
     * 415 for a mutating request with a content type other than JSON, 403 for one with neither a
     * content type nor the CSRF header; null when it could not have been forged cross-site.
     */
    @Nullable
    private static HttpResponse<?> refuseForgeable(HttpRequest<?> request) {
        Optional<MediaType> type = request.getContentType();
        if (type.isPresent()) {
            String name = (type.get().getType() + "/" + type.get().getSubtype()).toLowerCase(Locale.ROOT);
            return name.equals(MediaType.APPLICATION_JSON) ? null
                    : error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "request bodies must be application/json");
        }
        String csrf = request.getHeaders().get(AdminApi.CSRF_HEADER);
        return csrf != null && !csrf.isBlank() ? null : error(HttpStatus.FORBIDDEN, "mutating requests need"
                + " Content-Type: application/json or the " + AdminApi.CSRF_HEADER + " header");
    }

    /** Replaces the body of any 5xx that is not one of ours: Micronaut's default may quote an exception message. */
    @ResponseFilter
    public void hideInternalErrors(MutableHttpResponse<?> response) {
        if (response.code() >= 500 && !(response.getBody().orElse(null) instanceof ApiError)) {
            response.body(ApiError.of("internal error; the server log has details"))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
    }

    private HttpResponse<?> basic(HttpRequest<?> request, String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return unauthorized(request, "unsupported authorization scheme; use Basic or the session cookie");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return unauthorized(request, "malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return unauthorized(request, "malformed Basic credentials");
        }
        AdminAuthenticator.Result result = authenticator.authenticate(decoded.substring(0, colon),
                decoded.substring(colon + 1), clients.clientAddress(request), true);
        if (result instanceof AdminAuthenticator.Result.Success success) {
            AdminPrincipal.set(request, new AdminPrincipal(success.username(), AdminPrincipal.Method.BASIC, null));
            return null;
        }
        return refusal(request, result);
    }

    /** The answer to a login that did not succeed: 429 or 503 with Retry-After, else 401. */
    public static MutableHttpResponse<ApiError> refusal(HttpRequest<?> request, AdminAuthenticator.Result result) {
        if (result instanceof AdminAuthenticator.Result.Throttled throttled) {
            return tooManyAttempts(throttled.retryAfter());
        }
        if (result instanceof AdminAuthenticator.Result.Busy busy) {
            return HttpResponse.<ApiError>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds(busy.retryAfter())))
                    .body(ApiError.of("too many logins in progress; retry in " + seconds(busy.retryAfter()) + " s"));
        }
        return unauthorized(request, "bad credentials");
    }

    private static boolean isPublic(HttpRequest<?> request) {
        String path = request.getPath();
        HttpMethod method = request.getMethod();
        return (path.equals(AdminApi.BASE + "/session") && method == HttpMethod.POST)
                || path.equals(AdminApi.BASE + "/setup")
                || (path.equals(AdminApi.OPENAPI_PATH) && (method == HttpMethod.GET || method == HttpMethod.HEAD));
    }


    /** True for requests made by the browser UI, which must not get a Basic challenge. */
    static boolean fromBrowserUi(HttpRequest<?> request) {
        return request.getHeaders().contains("X-Requested-With")
                || request.getCookies().findCookie(AdminApi.SESSION_COOKIE).isPresent()
                || request.getPath().equals(AdminApi.BASE + "/session")
                || acceptsOnlyEventStream(request);
    }

    /** An {@code EventSource} sends {@code Accept: text/event-stream} and nothing else it could be told to. */
    private static boolean acceptsOnlyEventStream(HttpRequest<?> request) {
        String accept = request.getHeaders().get(HttpHeaders.ACCEPT);
        return accept != null && accept.trim().toLowerCase(Locale.ROOT).equals(MediaType.TEXT_EVENT_STREAM);
    }

    public static MutableHttpResponse<ApiError> unauthorized(HttpRequest<?> request, String message) {
        return HttpResponse.<ApiError>status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, fromBrowserUi(request) ? SESSION_CHALLENGE : BASIC_CHALLENGE)
                .body(ApiError.of(message));
    }

    private static long seconds(Duration retryAfter) {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    public static MutableHttpResponse<ApiError> tooManyAttempts(Duration retryAfter) {
        long seconds = seconds(retryAfter);
        return HttpResponse.<ApiError>status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .body(ApiError.of("too many failed attempts; retry in " + seconds + " s"));
    }

    private static MutableHttpResponse<ApiError> error(HttpStatus status, String message) {
        return HttpResponse.<ApiError>status(status).body(ApiError.of(message));
    }
}
