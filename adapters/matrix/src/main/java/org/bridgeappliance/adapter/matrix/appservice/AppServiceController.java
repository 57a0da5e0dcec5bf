package org.bridgeappliance.adapter.matrix.appservice;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.matrix.json.Json;

/**
 * The AS API endpoints under {@code /_matrix/app} on the appliance's one HTTP server. Thin: it maps
 * requests onto {@link AppServiceHandler}. Runs on the blocking executor, since handling waits for
 * the core's durable queue and for Client-Server calls.
 *
 * <p>While the Matrix adapter is disabled, not yet started or failed, every route answers 503
 * {@code M_UNKNOWN}, so a homeserver that has the registration keeps its transactions and retries
 * (spec: it backs off and retries until the AS is reachable). Unknown routes answer 404 and known
 * routes with the wrong method 405, both {@code M_UNRECOGNIZED} (AS API "Unknown routes").
 */
@Controller("/_matrix/app")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AppServiceController {
    private static final Pattern KNOWN = Pattern.compile(
            "v1/(transactions/[^/]+|users/[^/]+|rooms/[^/]+|ping)");

    private final AppServiceEndpoint endpoint;

    public AppServiceController(AppServiceEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Put(uri = "/v1/transactions/{txnId}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> transaction(@PathVariable String txnId,
                                            @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                            @Nullable @QueryValue("access_token") String accessToken,
                                            @Nullable @Body byte[] body) {
        return handler().map(h -> respond(h.transaction(txnId, authorization, accessToken, body)))
                .orElseGet(AppServiceController::unavailable);
    }

    @Get(uri = "/v1/users/{userId}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> user(@PathVariable String userId,
                                     @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                     @Nullable @QueryValue("access_token") String accessToken) {
        return handler().map(h -> respond(h.user(userId, authorization, accessToken)))
                .orElseGet(AppServiceController::unavailable);
    }

    @Get(uri = "/v1/rooms/{roomAlias}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> alias(@PathVariable String roomAlias,
                                      @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                      @Nullable @QueryValue("access_token") String accessToken) {
        return handler().map(h -> respond(h.alias(roomAlias, authorization, accessToken)))
                .orElseGet(AppServiceController::unavailable);
    }

    @Post(uri = "/v1/ping", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> ping(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                                     @Nullable @QueryValue("access_token") String accessToken,
                                     @Nullable @Body byte[] body) {
        return handler().map(h -> respond(h.ping(authorization, accessToken, body)))
                .orElseGet(AppServiceController::unavailable);
    }

    @Get(uri = "/{+path}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> unknownGet(@PathVariable String path) {
        return unrecognized(path);
    }

    @Put(uri = "/{+path}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> unknownPut(@PathVariable String path) {
        return unrecognized(path);
    }

    @Post(uri = "/{+path}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> unknownPost(@PathVariable String path) {
        return unrecognized(path);
    }

    @Delete(uri = "/{+path}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> unknownDelete(@PathVariable String path) {
        return unrecognized(path);
    }

    @Patch(uri = "/{+path}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> unknownPatch(@PathVariable String path) {
        return unrecognized(path);
    }

    private Optional<AppServiceHandler> handler() {
        return endpoint.appService();
    }

    private static HttpResponse<byte[]> unrecognized(String path) {
        boolean known = path != null && KNOWN.matcher(path.startsWith("/") ? path.substring(1) : path).matches();
        return respond(known
                ? AppServiceHandler.Reply.error(405, "M_UNRECOGNIZED", "Unsupported method")
                : AppServiceHandler.Reply.error(404, "M_UNRECOGNIZED", "Unrecognized request"));
    }

    private static HttpResponse<byte[]> unavailable() {
        return respond(AppServiceHandler.Reply.error(503, "M_UNKNOWN", "The Matrix bridge is not running"));
    }

    private static HttpResponse<byte[]> respond(AppServiceHandler.Reply reply) {
        return HttpResponse.<byte[]>status(HttpStatus.valueOf(reply.status()))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(Json.bytes(reply.body()));
    }
}
