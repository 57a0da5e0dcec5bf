package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.Sipp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SIP adapter's offline queue across an appliance SIGKILL, through the running appliance with real Kamailio,
 * Synapse and a sipp phone: a Matrix user writes twice to a SIP person whose phone is not registered (Kamailio
 * answers 404, the adapter queues both durably), the appliance is killed and started again (deploy/sandbox.sh up,
 * same data), then the phone registers and receives both queued messages exactly once, in order, before a message
 * sent after the restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipOfflineQueueKillIT {
    private static final Duration RECOVERY = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private BridgeFixture f;
    private SandboxControl control;
    private Session carol;
    private MatrixWatch carolSees;

    @BeforeAll
    void setUp() {
        f = new BridgeFixture();
        f.sandbox.requireAppliance();
        control = new SandboxControl(f.sandbox);
        carol = f.newMatrixUser("carol", "Carol Kill");
        carolSees = new MatrixWatch(f.matrix, carol);
    }

    @AfterAll
    void tearDown() {
        if (control != null && control.process("appliance").isEmpty()) {
            control.up(); // leave the sandbox running for the next test
        }
        if (f != null) {
            f.close();
        }
    }

    private Path applianceLog() {
        return f.sandbox.runDir().resolve("logs/appliance.log");
    }

    private int logCount(String text) {
        try {
            return BridgeFixture.count(Files.readString(applianceLog(), StandardCharsets.ISO_8859_1), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean sipConnected() {
        try {
            HttpResponse<String> r = f.admin("GET", "/api/v1/adapters", null);
            if (r.statusCode() != 200) {
                return false;
            }
            for (JsonNode a : JSON.readTree(r.body()).path("adapters")) {
                if ("sip".equals(a.path("network").asText())) {
                    return "CONNECTED".equals(a.path("status").asText());
                }
            }
            return false;
        } catch (IOException | RuntimeException | AssertionError e) {
            return false; // not up yet
        }
    }

    @Test
    void messagesQueuedForAnOfflinePhoneSurviveASigkillAndAreDeliveredOnceAfterItRegisters() {
        String gina = Sandbox.uniqueName("gina");
        String person = gina + "@" + f.sandbox.get("SIP_DOMAIN");
        String ghost = "@_sip_" + BridgeFixture.matrixEncode(person) + ":" + f.serverName();
        String roomId = f.matrix.createRoom(carol, Map.of("preset", "trusted_private_chat", "is_direct", true,
            "invite", List.of(ghost)));
        carolSees.await("the ghost joining", e -> roomId.equals(e.roomId()) && "m.room.member".equals(e.type())
            && ghost.equals(e.event().path("state_key").asText())
            && "join".equals(e.content().path("membership").asText()), WAIT);

        String first = "queued before the kill ✓ #1 " + Sandbox.uniqueName("k");
        String second = "queued before the kill ✓ #2 " + Sandbox.uniqueName("k");
        String queuedLine = "part(s) for offline " + person + " queued";
        int queuedBefore = logCount(queuedLine);
        f.send(carol, roomId, "m.room.message", BridgeFixture.text(first));
        BridgeFixture.awaitCondition("the first message queued for the offline phone",
            () -> logCount(queuedLine) >= queuedBefore + 1, WAIT);
        f.send(carol, roomId, "m.room.message", BridgeFixture.text(second));
        BridgeFixture.awaitCondition("the second message queued for the offline phone",
            () -> logCount(queuedLine) >= queuedBefore + 2, WAIT);

        control.stop("appliance", true);
        control.up();
        BridgeFixture.awaitCondition("the SIP adapter CONNECTED again", this::sipConnected, RECOVERY);
        control.awaitAdaptersConnected(f, RECOVERY);

        // sipp plays the phone: listening before it registers, it takes exactly three MESSAGEs.
        try (Sipp.Run phone = Sipp.scenario(f.sandbox, "uas_message.xml").calls(3).timeout(RECOVERY).start()) {
            Sipp.scenario(f.sandbox, "uac_register.xml").viaProxy().key("user", gina)
                .key("domain", f.sandbox.get("SIP_DOMAIN")).key("contact_port", Integer.toString(phone.localPort()))
                .key("expires", "300").run().assertSuccess(WAIT);
            String after = "live after the restart " + Sandbox.uniqueName("k");
            f.send(carol, roomId, "m.room.message", BridgeFixture.text(after));
            phone.assertSuccess(RECOVERY);
            String log = phone.logText();
            assertEquals(1, BridgeFixture.count(log, "BODY " + first), log);
            assertEquals(1, BridgeFixture.count(log, "BODY " + second), log);
            assertEquals(1, BridgeFixture.count(log, "BODY " + after), log);
            assertTrue(log.indexOf("BODY " + first) < log.indexOf("BODY " + second)
                && log.indexOf("BODY " + second) < log.indexOf("BODY " + after), log);
        }
    }
}
