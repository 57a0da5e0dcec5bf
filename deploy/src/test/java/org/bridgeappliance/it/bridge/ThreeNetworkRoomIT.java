package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.it.harness.BaresipPhone;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.Sipp;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One conversation across all three networks, through the running appliance: a Matrix room (plain Client-Server
 * calls), an XMPP MUC on Prosody (Smack) and a SIP room URI (a baresip phone registered at Kamailio) mapped as one
 * room through the admin API. A message from each network arrives exactly once on the other two, attributed to
 * its author (the ghost on Matrix, an occupant on XMPP, {@code [Name]} on SIP), and is not echoed to its sender;
 * the phone answers the room the way a phone user does: to the URI the room's messages came from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreeNetworkRoomIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE_NICK = "alice-nick";
    private static final String CAROL_NAME = "Carol Three";

    private BridgeFixture f;
    private Session carol;
    private MatrixWatch carolSees;
    private XmppUsers.User alice;
    private XmppInbox aliceGets;
    private MultiUserChat muc;
    private String matrixRoomId;
    private String roomUri;
    private String roomName;
    private String mappingId;
    private BaresipPhone erin;

    @BeforeAll
    void setUp() throws Exception {
        f = new BridgeFixture();
        f.sandbox.requireAppliance();
        carol = f.newMatrixUser("carol", CAROL_NAME);
        carolSees = new MatrixWatch(f.matrix, carol);
        alice = f.xmpp.registerAndLogin("alice");
        aliceGets = new XmppInbox(alice.connection());

        matrixRoomId = f.matrix.createRoom(carol, Map.of("preset", "private_chat", "name", "three networks",
            "invite", List.of(f.bot())));
        carolSees.await("the bridge bot joining", e -> e.roomId().equals(matrixRoomId)
            && "m.room.member".equals(e.type()) && f.bot().equals(e.event().path("state_key").asText())
            && "join".equals(e.content().path("membership").asText()), WAIT);
        muc = f.createMuc(alice, ALICE_NICK);
        String slug = Sandbox.uniqueName("three").replace('_', '-');
        roomUri = "sip:" + slug + "@rooms." + f.sandbox.get("BRIDGE_SIP_DOMAIN");
        roomName = "Three " + slug.substring(slug.length() - 6);

        ObjectNode body = JSON.createObjectNode().put("name", roomName).put("enabled", true);
        body.putArray("portals")
            .add(JSON.createObjectNode().put("network", "matrix").put("room", matrixRoomId))
            .add(JSON.createObjectNode().put("network", "xmpp").put("room", muc.getRoom().toString()))
            .add(JSON.createObjectNode().put("network", "sip").put("room", roomUri));
        HttpResponse<String> r = f.admin("POST", "/api/v1/rooms", body.toString());
        assertEquals(201, r.statusCode(), r.body());
        mappingId = JSON.readTree(r.body()).path("id").asText();
        // The XMPP adapter joins mapped MUCs on its periodic room sync (every 10 s).
        BridgeFixture.awaitCondition("the bridge joining " + muc.getRoom(), () -> muc.getOccupantsCount() >= 2, WAIT);

        // baresip's /message steps forward through the contacts: a placeholder first, then the room.
        erin = BaresipPhone.startRegistered(f.sandbox, Sandbox.uniqueName("erin"),
            List.of("sip:nobody@" + f.sandbox.get("SIP_DOMAIN"), roomUri), WAIT);
        erin.sendMessage(roomUri, "#join");
        erin.awaitConsole(shown("*** You joined " + roomName), WAIT);
    }

    @AfterAll
    void tearDown() {
        if (erin != null) {
            erin.close();
        }
        if (mappingId != null && f != null) {
            f.admin("DELETE", "/api/v1/rooms/" + mappingId, null);
        }
        if (f != null) {
            f.close();
        }
    }

    /** baresip prints an incoming MESSAGE on its console as {@code <from URI>: "<text>"}. */
    private String shown(String text) {
        return roomUri + ": \"" + text;
    }

    private static String uniq(String text) {
        return text + " " + Sandbox.uniqueName("m");
    }

    private boolean inMuc(Message m) {
        return m.getType() == Message.Type.groupchat && m.getFrom() != null
            && muc.getRoom().equals(m.getFrom().asBareJid());
    }

    private long onMatrix(String body) {
        return carolSees.seen().stream().filter(e -> e.kind() == MatrixWatch.Kind.TIMELINE
            && e.roomId().equals(matrixRoomId) && "m.room.message".equals(e.type())
            && body.equals(e.content().path("body").asText())).count();
    }

    @Test
    void aMessageFromEachNetworkReachesTheOtherTwoOnceAndIsNotEchoed() throws Exception {
        // Matrix -> XMPP + SIP
        String fromMatrix = uniq("héllo ✓ from matrix");
        f.send(carol, matrixRoomId, "m.room.message", BridgeFixture.text(fromMatrix));
        Message m1 = aliceGets.awaitMessage("carol's message in the MUC", m -> inMuc(m)
            && fromMatrix.equals(m.getBody()), WAIT);
        assertEquals(CAROL_NAME, m1.getFrom().getResourceOrEmpty().toString());
        erin.awaitConsole(shown("[" + CAROL_NAME + "] " + fromMatrix), WAIT);

        // XMPP -> Matrix + SIP
        String fromXmpp = uniq("héllo ✓ from xmpp");
        alice.connection().sendStanza(BridgeFixture.groupchat(muc, fromXmpp));
        MatrixWatch.Seen x = carolSees.await("alice's message on Matrix", e -> e.roomId().equals(matrixRoomId)
            && fromXmpp.equals(e.content().path("body").asText()), WAIT);
        assertEquals(f.ghostOf(alice.jid()), x.sender());
        erin.awaitConsole(shown("[" + ALICE_NICK + "] " + fromXmpp), WAIT);

        // SIP -> Matrix + XMPP: the phone answers the URI the room's messages came from
        String fromSip = uniq("héllo ✓ from the phone");
        erin.sendMessage(roomUri, fromSip);
        MatrixWatch.Seen s = carolSees.await("the phone's message on Matrix", e -> e.roomId().equals(matrixRoomId)
            && fromSip.equals(e.content().path("body").asText()), WAIT);
        String erinPerson = erin.user() + "@" + f.sandbox.get("SIP_DOMAIN");
        assertEquals("@_sip_" + BridgeFixture.matrixEncode(erinPerson) + ":" + f.serverName(), s.sender());
        Message m3 = aliceGets.awaitMessage("the phone's message in the MUC", m -> inMuc(m)
            && fromSip.equals(m.getBody()), WAIT);
        String occupantJid = muc.getOccupant(m3.getFrom().asEntityFullJidIfPossible()).getJid().asBareJid().toString();
        // The XMPP puppet of a SIP person: <user>%<domain> on the SIP component (issue 11's addressing).
        assertEquals(erin.user() + "%" + f.sandbox.get("SIP_DOMAIN") + "@"
            + f.sandbox.get("BRIDGE_XMPP_SIP_DOMAIN"), occupantJid, "the phone's occupant is its puppet");

        // A last message from Matrix, seen on both other networks, orders after anything the bridge might still
        // have echoed; then every message is counted.
        String last = uniq("last word from matrix");
        f.send(carol, matrixRoomId, "m.room.message", BridgeFixture.text(last));
        aliceGets.awaitMessage("the last message", m -> inMuc(m) && last.equals(m.getBody()), WAIT);
        String console = erin.awaitConsole(shown("[" + CAROL_NAME + "] " + last), WAIT);
        carolSees.collectUntilQuiet(e -> true, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(10));

        assertEquals(1, onMatrix(fromMatrix), "carol's message on Matrix (not bridged back)");
        assertEquals(1, onMatrix(fromXmpp), "alice's message on Matrix");
        assertEquals(1, onMatrix(fromSip), "the phone's message on Matrix");
        assertEquals(1, aliceGets.messages(m -> inMuc(m) && fromMatrix.equals(m.getBody())).size(), "carol's in the MUC");
        assertEquals(List.of(ALICE_NICK), aliceGets.messages(m -> inMuc(m) && fromXmpp.equals(m.getBody())).stream()
            .map(m -> m.getFrom().getResourceOrEmpty().toString()).toList(), "alice's own: only the MUC's reflection");
        assertEquals(1, aliceGets.messages(m -> inMuc(m) && fromSip.equals(m.getBody())).size(), "the phone's in the MUC");
        assertEquals(1, BridgeFixture.count(console, fromMatrix), console);
        assertEquals(1, BridgeFixture.count(console, fromXmpp), console);
        assertEquals(0, BridgeFixture.count(console, "] " + fromSip), "the phone's own message was echoed to it:\n" + console);
    }

    /** An admin adds a phone to the room's SIP portal through the admin API: it is told and gets the room's messages. */
    @Test
    void anAdminAddsAndRemovesAPhone() throws Exception {
        try (BaresipPhone frank = BaresipPhone.startRegistered(f.sandbox, Sandbox.uniqueName("frank"), WAIT)) {
            String person = frank.user() + "@" + f.sandbox.get("SIP_DOMAIN");
            String add = JSON.createObjectNode().put("room", roomUri).put("user", "sip:" + person).toString();
            HttpResponse<String> added = f.admin("POST", "/api/v1/networks/sip/members", add);
            assertEquals(201, added.statusCode(), added.body());
            assertTrue(JSON.readTree(added.body()).path("members").toString().contains(person), added.body());
            frank.awaitConsole(roomUri + ": \"*** An admin added you to " + roomName, WAIT);
            assertEquals(200, f.admin("POST", "/api/v1/networks/sip/members", add).statusCode(), "already a member");

            String hello = uniq("hello frank, from matrix");
            f.send(carol, matrixRoomId, "m.room.message", BridgeFixture.text(hello));
            frank.awaitConsole(roomUri + ": \"[" + CAROL_NAME + "] " + hello, WAIT);

            String query = "?room=" + BridgeFixture.enc(roomUri) + "&user=" + BridgeFixture.enc(person);
            assertEquals(204, f.admin("DELETE", "/api/v1/networks/sip/members" + query, null).statusCode());
            assertEquals(404, f.admin("DELETE", "/api/v1/networks/sip/members" + query, null).statusCode());
            HttpResponse<String> list = f.admin("GET", "/api/v1/networks/sip/members?room=" + BridgeFixture.enc(roomUri),
                null);
            assertEquals(200, list.statusCode(), list.body());
            assertTrue(!list.body().contains(person) && list.body().contains(erin.user()), list.body());
            assertEquals(400, f.admin("POST", "/api/v1/networks/sip/members", JSON.createObjectNode()
                .put("room", roomUri).put("user", "tel:+4930123").toString()).statusCode());
            assertEquals(404, f.admin("GET", "/api/v1/networks/xmpp/members?room=" + BridgeFixture.enc(roomUri), null)
                .statusCode());
        }
    }

    /** An admin gives the room a numeric alias: a phone dialling it (Kamailio routes 8xxx to the bridge) reaches it. */
    @Test
    void aPhoneReachesTheRoomByItsNumericAlias() throws Exception {
        String alias = "8" + String.format("%03d", (int) (System.nanoTime() % 1000));
        String body = JSON.createObjectNode().put("room", roomUri).put("alias", alias).toString();
        HttpResponse<String> set = f.admin("PUT", "/api/v1/networks/sip/aliases", body);
        try {
            assertEquals(200, set.statusCode(), set.body());
            HttpResponse<String> got = f.admin("GET", "/api/v1/networks/sip/aliases?room=" + BridgeFixture.enc(roomUri),
                null);
            assertEquals(alias, JSON.readTree(got.body()).path("alias").asText(), got.body());
            assertEquals(400, f.admin("PUT", "/api/v1/networks/sip/aliases", JSON.createObjectNode().put("room", roomUri)
                .put("alias", "80a1").toString()).statusCode(), "not digits");

            String text = uniq("dialled by number");
            Sipp.Run run = Sipp.scenario(f.sandbox, "uac_message_status.xml").viaProxy().key("from", erin.user())
                .key("from_domain", f.sandbox.get("SIP_DOMAIN")).key("to", alias).key("domain", f.sandbox.get("SIP_DOMAIN"))
                .key("content_type", "text/plain;charset=UTF-8").key("body", text).run();
            assertTrue(run.logText().contains("FINAL 202"), run.logText());
            carolSees.await("the message sent to the alias", e -> e.roomId().equals(matrixRoomId)
                && text.equals(e.content().path("body").asText().strip()), WAIT); // sipp's body ends with CRLF
        } finally {
            f.admin("DELETE", "/api/v1/networks/sip/aliases?room=" + BridgeFixture.enc(roomUri), null);
        }
        assertEquals(404, f.admin("DELETE", "/api/v1/networks/sip/aliases?room=" + BridgeFixture.enc(roomUri), null)
            .statusCode(), "already removed");
    }
}
