package org.bridgeappliance.admin;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** An admin API route that fails with an internal error, to check what a client sees of it. */
@Controller(AdminApi.BASE + "/test-failure")
@Requires(property = "bridge.admin.test-failure-route", value = "true")
public class FailingController {
    static final String INTERNAL_DETAIL = "jdbc:h2:file:/secret/path password=hunter2";

    @Get
    public String fail() {
        throw new IllegalStateException(INTERNAL_DETAIL);
    }
}
