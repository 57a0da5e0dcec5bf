package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.Test;

/** The documented .sandbox/env interface is complete, and the appliance runs against the servers. */
class SandboxEnvIT {

    private final Sandbox sandbox = Sandbox.get();

    @Test
    void everyDocumentedKeyIsPresent() {
        for (String key : List.of("XMPP_HOST", "XMPP_PORT", "XMPP_DOMAIN", "XMPP_MUC_DOMAIN", "BRIDGE_XMPP_MATRIX_DOMAIN",
            "BRIDGE_XMPP_SIP_DOMAIN", "MATRIX_URL", "MATRIX_SERVER_NAME", "MATRIX_REGISTRATION_SECRET", "SIP_PROXY",
            "SIP_DOMAIN", "BRIDGE_SIP_DOMAIN", "ADMIN_URL", "ADMIN_USER", "ADMIN_PASSWORD", "DEMO_XMPP_USERS",
            "DEMO_MATRIX_USERS", "DEMO_SIP_USERS", "XMPP_COMPONENT_PORT", "XMPP_COMPONENT_SECRET",
            "XMPP_COMPONENT_SECRET_SIP", "MATRIX_AS_TOKEN", "MATRIX_HS_TOKEN", "MATRIX_AS_REGISTRATION", "BRIDGE_SIP_PORT",
            "RUN_DIR", "APPLIANCE_STATE")) {
            assertFalse(sandbox.get(key).isBlank(), key + " is empty");
        }
        assertEquals(2, sandbox.demoUsers("DEMO_SIP_USERS").size());
    }

    @Test
    void applianceAnswersHealthOnTheAdminUrl() throws Exception {
        sandbox.requireAppliance();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(sandbox.get("ADMIN_URL") + "/health")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        // 200 UP, or 503 while an adapter is not connected: either way the appliance's HTTP server answers
        assertTrue(r.statusCode() == 200 || r.statusCode() == 503, r.statusCode() + " " + r.body());
        assertTrue(r.body().contains("\"status\""), r.body());
    }
}
