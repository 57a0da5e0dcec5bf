package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.bridgeappliance.it.harness.AppServiceProbe;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Synapse loads the sandbox's application-service registrations and pushes transactions the way the Matrix
 * adapter receives them. The bridge's own registration points at the appliance; the push is observed through the
 * test-only probe registration (namespace {@code @_probe_.*}, URL MATRIX_PROBE_AS_URL) with a listener here.
 */
class MatrixAppServiceSmokeIT {

    private final Sandbox sandbox = Sandbox.get();
    private final MatrixTestClient matrix = MatrixTestClient.of(sandbox);

    @Test
    void synapsePushesAnInviteOfANamespacedUserToTheAppServiceWithTheHsToken() {
        try (AppServiceProbe probe = AppServiceProbe.start(sandbox)) {
            String probeUser = matrix.registerAppServiceUser(sandbox.get("MATRIX_PROBE_AS_TOKEN"),
                sandbox.get("MATRIX_PROBE_USER_PREFIX") + Sandbox.uniqueName("x"));
            Session carol = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"),
                Sandbox.uniqueName("carol"), Sandbox.uniqueName("pw"), false);
            String roomId = matrix.createRoom(carol, Map.of("preset", "private_chat"));

            matrix.invite(carol, roomId, probeUser);

            AppServiceProbe.Transaction t = probe.awaitTransaction(e -> isMembership(e, roomId, probeUser, "invite"),
                Duration.ofSeconds(20));
            assertTrue(t.authorized(), "transaction without the probe's hs_token in Authorization");
            assertEquals("Bearer " + sandbox.get("MATRIX_PROBE_HS_TOKEN"), t.authorization());

            // The AS acts as its user (identity assertion) and the join comes back as a transaction too. Leaving
            // afterwards keeps the room from sending the probe further events once this listener is gone.
            Session as = new Session("@_probe_bot:" + sandbox.get("MATRIX_SERVER_NAME"), sandbox.get("MATRIX_PROBE_AS_TOKEN"));
            matrix.join(as, roomId, probeUser);
            probe.awaitTransaction(e -> isMembership(e, roomId, probeUser, "join"), Duration.ofSeconds(20));
            matrix.leave(as, roomId, probeUser);
            probe.awaitTransaction(e -> isMembership(e, roomId, probeUser, "leave"), Duration.ofSeconds(20));
        }
    }

    @Test
    void bridgeRegistrationIsLoadedWithItsExclusiveNamespaces() {
        String puppet = "_xmpp_" + Sandbox.uniqueName("probe");
        // the bridge's as_token may create users in @_xmpp_.* ...
        String userId = matrix.registerAppServiceUser(sandbox.get("MATRIX_AS_TOKEN"), puppet);
        assertEquals("@" + puppet + ":" + sandbox.get("MATRIX_SERVER_NAME"), userId);
        MatrixTestClient.Response whoami = matrix.call("GET", "/_matrix/client/v3/account/whoami?user_id="
            + userId.replace("@", "%40").replace(":", "%3A"), sandbox.get("MATRIX_AS_TOKEN"), null);
        assertEquals(userId, whoami.body().path("user_id").asText(), whoami.toString());
        // ... and nobody else may: the namespace is exclusive to the bridge
        MatrixTestClient.MatrixException e = assertThrows(MatrixTestClient.MatrixException.class,
            () -> matrix.registerAppServiceUser(sandbox.get("MATRIX_PROBE_AS_TOKEN"), "_xmpp_" + Sandbox.uniqueName("intruder")));
        assertEquals("M_EXCLUSIVE", e.errcode(), e.getMessage());
    }

    private static boolean isMembership(JsonNode e, String roomId, String userId, String membership) {
        return "m.room.member".equals(e.path("type").asText()) && roomId.equals(e.path("room_id").asText())
            && userId.equals(e.path("state_key").asText())
            && membership.equals(e.path("content").path("membership").asText());
    }
}
