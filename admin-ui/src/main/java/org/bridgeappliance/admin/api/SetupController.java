package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.api.Dtos.AdminUserDto;
import org.bridgeappliance.admin.api.Dtos.SetupRequest;
import org.bridgeappliance.admin.api.Dtos.SetupStatusDto;
import org.bridgeappliance.admin.auth.AuthFilter;
import org.bridgeappliance.admin.auth.ClientAddresses;
import org.bridgeappliance.admin.auth.LoginThrottle;
import org.bridgeappliance.admin.auth.SetupService;

/** First-run setup: creates the first admin with the one-time token from {@code <data-dir>/setup-token} (the log names the file). */
@Controller(AdminApi.BASE + "/setup")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "setup", description = "First-run creation of the first admin")
@SecurityRequirements
public class SetupController {
    private final SetupService setup;
    private final LoginThrottle throttle;
    private final ClientAddresses clients;

    public SetupController(SetupService setup, LoginThrottle throttle, ClientAddresses clients) {
        this.setup = setup;
        this.throttle = throttle;
        this.clients = clients;
    }

    @Get
    @Operation(operationId = "setupStatus", summary = "Whether the appliance still waits for its first admin")
    public SetupStatusDto status() {
        return new SetupStatusDto(setup.setupRequired());
    }

    @Post
    @Operation(operationId = "completeSetup", summary = "Create the first admin with the one-time setup token; works once")
    @ApiResponse(responseCode = "201", description = "admin created; the token is spent")
    @ApiResponse(responseCode = "403", description = "wrong token")
    @ApiResponse(responseCode = "409", description = "setup already complete")
    @ApiResponse(responseCode = "429", description = "too many wrong tokens; see Retry-After")
    public HttpResponse<?> complete(@Nullable @Body SetupRequest body, HttpRequest<?> request) {
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {token, username, password} is required");
        }
        // Counted before the token is compared, so that parallel guesses cannot slip past the limit.
        LoginThrottle.Admission admission = throttle.beginSetup(clients.clientAddress(request));
        if (admission instanceof LoginThrottle.Admission.Refused refused) {
            return AuthFilter.tooManyAttempts(refused.retryAfter());
        }
        LoginThrottle.Admission.Admitted attempt = (LoginThrottle.Admission.Admitted) admission;
        try {
            AdminUserDto created = AdminUserDto.of(setup.complete(body.token(), body.username(), body.password()));
            throttle.succeeded(attempt);
            return HttpResponse.status(HttpStatus.CREATED).body(created);
        } catch (ApiException e) {
            if (e.status() != HttpStatus.FORBIDDEN) {
                throttle.succeeded(attempt); // the token was right (or setup is over): not a guess
            }
            throw e;
        }
    }
}
