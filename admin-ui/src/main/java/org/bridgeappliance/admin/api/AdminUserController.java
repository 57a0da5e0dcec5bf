package org.bridgeappliance.admin.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.bridgeappliance.admin.AdminApi;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.admin.api.Dtos.AdminUserDto;
import org.bridgeappliance.admin.api.Dtos.CreateAdminRequest;
import org.bridgeappliance.admin.api.Dtos.PasswordRequest;
import org.bridgeappliance.admin.auth.AdminAuthenticator;
import org.bridgeappliance.admin.auth.CredentialPolicy;
import org.bridgeappliance.admin.auth.SessionStore;
import org.bridgeappliance.core.store.StoreConflictException;
import org.bridgeappliance.mapping.AdminUser;
import org.bridgeappliance.mapping.AdminUserStore;

/** Admin accounts. Every admin may manage every admin; the last one cannot be deleted. */
@Controller(AdminApi.BASE + "/admins")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "admins", description = "Admin accounts")
public class AdminUserController {
    private final AdminUserStore users;
    private final Auditor auditor;
    private final SessionStore sessions;
    private final AdminAuthenticator authenticator;

    public AdminUserController(AdminUserStore users, Auditor auditor, SessionStore sessions,
                               AdminAuthenticator authenticator) {
        this.users = users;
        this.auditor = auditor;
        this.sessions = sessions;
        this.authenticator = authenticator;
    }

    @Get
    @Operation(operationId = "listAdmins", summary = "Every admin account (never a password hash)")
    public List<AdminUserDto> list() {
        return users.all().stream().map(AdminUserDto::of).toList();
    }

    @Post
    @Status(HttpStatus.CREATED)
    @Operation(operationId = "createAdmin", summary = "Create an admin account")
    @ApiResponse(responseCode = "409", description = "username taken")
    public AdminUserDto create(@Nullable @Body CreateAdminRequest body, HttpRequest<?> request) {
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {username, password} is required");
        }
        String username = CredentialPolicy.checkUsername("username", body.username());
        char[] password = CredentialPolicy.checkPassword("password", body.password());
        AdminUser created;
        try {
            created = users.create(username, password);
        } catch (StoreConflictException e) {
            throw ApiException.conflict("an admin named '" + username + "' already exists");
        } finally {
            Arrays.fill(password, '\0');
        }
        auditor.record(RoomMappingController.actor(request), "admin.create", "admin:" + created.username(), "");
        return AdminUserDto.of(created);
    }

    @Put("/{username}/password")
    @Operation(operationId = "changeAdminPassword", summary = "Set an admin's password; ends that admin's sessions")
    @ApiResponse(responseCode = "204", description = "changed")
    @ApiResponse(responseCode = "404", description = "no such admin")
    public HttpResponse<Void> changePassword(@PathVariable String username, @Nullable @Body PasswordRequest body,
                                             HttpRequest<?> request) {
        if (body == null) {
            throw ApiException.badRequest(null, "a JSON body {password} is required");
        }
        String name = existing(username);
        char[] password = CredentialPolicy.checkPassword("password", body.password());
        try {
            users.changePassword(name, password);
        } catch (NoSuchElementException e) {
            throw ApiException.notFound("no admin " + Inputs.abbreviate(username));
        } finally {
            Arrays.fill(password, '\0');
        }
        authenticator.forget(name);
        sessions.invalidateUser(name);
        auditor.record(RoomMappingController.actor(request), "admin.password", "admin:" + name, "password changed");
        return HttpResponse.noContent();
    }

    @Delete("/{username}")
    @Operation(operationId = "deleteAdmin", summary = "Delete an admin account (not the last one)")
    @ApiResponse(responseCode = "204", description = "deleted")
    @ApiResponse(responseCode = "404", description = "no such admin")
    @ApiResponse(responseCode = "409", description = "it is the last admin")
    public HttpResponse<Void> delete(@PathVariable String username, HttpRequest<?> request) {
        String name = existing(username);
        synchronized (this) {
            if (users.all().size() <= 1) {
                throw ApiException.conflict("the last admin cannot be deleted");
            }
            if (!users.delete(name)) {
                throw ApiException.notFound("no admin " + Inputs.abbreviate(username));
            }
        }
        authenticator.forget(name);
        sessions.invalidateUser(name);
        auditor.record(RoomMappingController.actor(request), "admin.delete", "admin:" + name, "");
        return HttpResponse.noContent();
    }

    private String existing(String username) {
        return users.all().stream().map(AdminUser::username).filter(u -> u.equalsIgnoreCase(username)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no admin " + Inputs.abbreviate(username)));
    }
}
