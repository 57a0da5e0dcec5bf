package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Synapse is real and reachable the way the Matrix side uses it: shared-secret accounts, rooms, send, sync. */
class MatrixSmokeIT {

    private final Sandbox sandbox = Sandbox.get();
    private final MatrixTestClient matrix = MatrixTestClient.of(sandbox);

    @Test
    void usersRegisterCreateARoomAndSeeEachOthersMessages() {
        String secret = sandbox.get("MATRIX_REGISTRATION_SECRET");
        String carolName = Sandbox.uniqueName("carol");
        String davePassword = Sandbox.uniqueName("pw");
        Session carol = matrix.registerWithSharedSecret(secret, carolName, Sandbox.uniqueName("pw"), false);
        String daveName = Sandbox.uniqueName("dave");
        matrix.registerWithSharedSecret(secret, daveName, davePassword, false);
        assertEquals("@" + carolName + ":" + sandbox.get("MATRIX_SERVER_NAME"), carol.userId());

        // password login works as well as the admin API's token
        Session dave = matrix.login(daveName, davePassword);
        assertEquals("@" + daveName + ":" + sandbox.get("MATRIX_SERVER_NAME"), dave.userId());

        String roomId = matrix.createRoom(carol, Map.of("preset", "private_chat", "name", "smoke",
            "invite", java.util.List.of(dave.userId())));
        assertTrue(roomId.startsWith("!"), roomId);
        matrix.join(dave, roomId, null);
        String since = matrix.currentSyncToken(dave);

        String eventId = matrix.sendText(carol, roomId, "hello dave ✓");

        JsonNode seen = matrix.awaitTimelineEvent(dave, roomId, since,
            e -> "m.room.message".equals(e.path("type").asText()) && eventId.equals(e.path("event_id").asText()),
            Duration.ofSeconds(15));
        assertEquals("hello dave ✓", seen.path("content").path("body").asText());
        assertEquals(carol.userId(), seen.path("sender").asText());
    }

    @Test
    void demoAccountsCanLogIn() {
        Sandbox.Credentials demo = sandbox.demoUsers("DEMO_MATRIX_USERS").get(0);
        Session s = matrix.login(demo.user(), demo.password());
        assertEquals("@" + demo.user() + ":" + sandbox.get("MATRIX_SERVER_NAME"), s.userId());
    }

    @Test
    void presenceIsEnabled() {
        Session u = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"), Sandbox.uniqueName("pres"),
            Sandbox.uniqueName("pw"), false);
        String path = "/_matrix/client/v3/presence/" + u.userId().replace("@", "%40").replace(":", "%3A") + "/status";
        MatrixTestClient.Response put = matrix.call("PUT", path, u.accessToken(),
            new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("presence", "unavailable")
                .put("status_msg", "testing"));
        assertTrue(put.ok(), "PUT presence: " + put);
        MatrixTestClient.Response get = matrix.call("GET", path, u.accessToken(), null);
        // with presence disabled Synapse answers every query "offline" and drops status_msg
        assertEquals("unavailable", get.body().path("presence").asText(), get.toString());
        assertEquals("testing", get.body().path("status_msg").asText(), get.toString());
    }
}
