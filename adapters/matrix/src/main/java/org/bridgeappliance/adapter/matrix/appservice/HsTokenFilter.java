package org.bridgeappliance.adapter.matrix.appservice;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.json.Json;

/**
 * Checks the {@code hs_token} of the AS routes that take a body (transactions and ping) before the body is
 * read: a transaction's body may be as large as {@code micronaut.server.max-request-size}, and buffering that for a
 * caller without the token would let anyone who reaches the port spend the appliance's memory. A request
 * without a valid token gets 403 {@code M_FORBIDDEN} (AS API "Authorization") while its body is still
 * arriving; the handler checks the token again (it is cheap) so that it never depends on this filter alone.
 *
 * <p>Runs on the event loop, before the route's arguments are bound; never blocks. While the adapter is not
 * running it lets requests through to the controller, which answers 503. Other paths keep the controller's
 * answers (unknown routes 404 {@code M_UNRECOGNIZED}; the body-less user and alias queries check the token
 * there).
 */
@ServerFilter({"/_matrix/app/v1/transactions/**", "/_matrix/app/v1/ping"})
public class HsTokenFilter {
    private final AppServiceEndpoint endpoint;

    public HsTokenFilter(AppServiceEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Null lets the request through; otherwise the 403 to send instead. */
    @RequestFilter
    @Nullable
    public HttpResponse<byte[]> checkToken(HttpRequest<?> request) {
        Optional<AppServiceHandler> handler = endpoint.appService();
        if (handler.isEmpty() || handler.get().authorized(request.getHeaders().get(HttpHeaders.AUTHORIZATION),
                request.getParameters().get("access_token"))) {
            return null;
        }
        AppServiceHandler.Reply reply = handler.get().refused(request.getMethodName() + " " + request.getPath());
        return HttpResponse.<byte[]>status(HttpStatus.valueOf(reply.status()))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.CONNECTION, "close") // the unread body is not worth reading to reuse the connection
                .body(Json.bytes(reply.body()));
    }
}
