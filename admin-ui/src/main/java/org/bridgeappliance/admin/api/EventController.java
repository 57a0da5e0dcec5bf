package org.bridgeappliance.admin.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.sse.Event;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.auth.AdminPrincipal;
import org.reactivestreams.Publisher;

/** The dashboard's live stream: adapter states and the traffic counters as server-sent events. */
@Controller(AdminApi.BASE + "/events")
@Tag(name = "adapters", description = "Adapter states and router metrics")
public class EventController {
    private final EventStreams streams;

    public EventController(EventStreams streams) {
        this.streams = streams;
    }

    @Get(produces = MediaType.TEXT_EVENT_STREAM)
    @Operation(operationId = "getEvents", summary = "Server-sent events: `adapters` (the body of GET /adapters) and"
            + " `activity` (the body of GET /activity), each sent first on connect and then whenever it changes;"
            + " a `: heartbeat` comment after 15 s without an event. Ends when the session ends")
    @ApiResponse(responseCode = "200", description = "the stream", content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "429", description = "this session has the most streams it may have open")
    @ApiResponse(responseCode = "503", description = "the appliance has the most streams it may have open")
    public Publisher<Event<?>> events(HttpRequest<?> request) {
        return streams.open(AdminPrincipal.require(request));
    }
}
