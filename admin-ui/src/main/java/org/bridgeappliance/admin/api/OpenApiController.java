package org.bridgeappliance.admin.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.bridgeappliance.admin.AdminApi;

/**
 * Serves the OpenAPI document generated at compile time. Public on purpose: it describes the
 * open-source API, holds no instance data, and lets tools build clients before they have
 * credentials.
 */
@Controller
@Hidden
public class OpenApiController {
    /** Named by micronaut-openapi after the title and version of {@link AdminApi}'s @OpenAPIDefinition. */
    static final String RESOURCE = "META-INF/swagger/bridge-appliance-admin-api-1.yml";
    private final byte[] document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            document = in == null ? null : PublicOperations.mark(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(AdminApi.OPENAPI_PATH)
    @Produces("application/yaml")
    public HttpResponse<byte[]> openApi() {
        return document == null ? HttpResponse.notFound() : HttpResponse.ok(document);
    }
}
