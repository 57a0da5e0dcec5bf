package org.bridgeappliance.it.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The running appliance (started by the sandbox) as Synapse's application service: Synapse pushes
 * transactions and queries to it, a plain-HTTP Matrix user observes the effects.
 */
class ApplianceMatrixIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Sandbox sandbox = Sandbox.get();
    private final MatrixTestClient matrix = MatrixTestClient.of(sandbox);
    private Session carol;

    @BeforeEach
    void setUp() {
        assertEquals("running", sandbox.get("APPLIANCE_STATE"), "these tests need the appliance: deploy/sandbox.sh up");
        carol = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"), Sandbox.uniqueName("carol"),
                Sandbox.uniqueName("pw"), false);
    }

    @Test
    void invitedGhostIsProvisionedByTheUserQueryAndJoinsThroughATransaction() throws Exception {
        String jid = Sandbox.uniqueName("zed") + "@xmpp.test";
        String ghost = "@_xmpp_" + jid.replace("_", "__").replace("@", "=40") + ":" + sandbox.get("MATRIX_SERVER_NAME");
        // Synapse asks the appliance (GET /_matrix/app/v1/users/...) before it lets the invite through...
        String roomId = matrix.createRoom(carol, Map.of("preset", "private_chat", "invite", List.of(ghost)));
        // ... and pushes the invite in a transaction, upon which the ghost accepts (long-polling /sync, no sleeps).
        JsonNode join = matrix.awaitTimelineEvent(carol, roomId, null, e -> "m.room.member".equals(e.path("type").asText())
                && ghost.equals(e.path("state_key").asText())
                && "join".equals(e.path("content").path("membership").asText()), WAIT);
        assertEquals(ghost, join.path("sender").asText());
        JsonNode joined = matrix.call("GET", "/_matrix/client/v3/rooms/" + enc(roomId) + "/joined_members",
                carol.accessToken(), null).body().path("joined");
        assertEquals(jid, joined.path(ghost).path("display_name").asText(), joined.toString());
    }

    @Test
    void aliasOfAnUnknownRemoteRoomResolvesToNothing() {
        String alias = "#_xmpp_" + Sandbox.uniqueName("nosuch") + "=40conference.xmpp.test:"
                + sandbox.get("MATRIX_SERVER_NAME");
        MatrixTestClient.Response r = matrix.call("GET", "/_matrix/client/v3/directory/room/" + enc(alias),
                carol.accessToken(), null);
        assertEquals(404, r.status(), r.toString());
    }

    @Test
    void transactionWithAWrongTokenIsRefusedByTheAppliance() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String body = "{\"events\":[{\"type\":\"m.room.message\",\"room_id\":\"!x:matrix.test\","
                + "\"sender\":\"@mallory:matrix.test\",\"event_id\":\"$forged\",\"content\":{\"body\":\"x\"}}]}";
        for (String token : new String[] {"wrong", sandbox.get("MATRIX_AS_TOKEN")}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sandbox.get("ADMIN_URL")
                            + "/_matrix/app/v1/transactions/" + Sandbox.uniqueName("forged")))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains("M_FORBIDDEN"), r.body());
        }
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(sandbox.get("ADMIN_URL")
                + "/_matrix/app/v1/nothing-here")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("M_UNRECOGNIZED"), unknown.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
