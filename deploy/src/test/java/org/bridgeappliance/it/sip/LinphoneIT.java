package org.bridgeappliance.it.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.bridgeappliance.it.harness.LinphonePhone;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Debian's linphonec (liblinphone 5.1) as the phone, through the RUNNING appliance of the sandbox: registered at
 * the real Kamailio as SIP users of their own (unique names), chatting 1:1 both ways with a Matrix user (plain Client-Server
 * calls), opened from either side, and with an XMPP user (Smack), "héllo ✓" intact on every hop. linphonec sends
 * its text as {@code text/plain} (no CPIM, no is-composing: liblinphone 5.1 uses CPIM only in its group chat rooms,
 * and {@code cpim_in_basic_chat_rooms_enabled=1} on the account does not change what linphonec's {@code chat}
 * command sends), which the first test checks on linphonec's own SIP trace. For a message it received, linphonec
 * answers with an RFC 5438 delivery notification ({@code message/imdn+xml}, {@code Content-Encoding: deflate}),
 * which the bridge inflates and accepts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinphoneIT {
    private static final Duration T = Duration.ofSeconds(30);
    private final Sandbox sandbox = Sandbox.get();
    private MatrixSide carol;
    private String carolPuppet;
    private XmppUsers xmpp;
    private XmppSide alice;

    @BeforeAll
    void setUp() {
        sandbox.requireAppliance();
        carol = new MatrixSide(sandbox, "carol", "Carol Matrix");
        carolPuppet = carol.sipPuppet(sandbox);
        xmpp = new XmppUsers(sandbox);
        alice = new XmppSide(sandbox, xmpp, "alice");
    }

    @AfterAll
    void tearDown() {
        if (xmpp != null) {
            xmpp.close();
        }
    }

    /** A linphonec phone of a user of its own (the sandbox's Kamailio does not authenticate; demo accounts are for people). */
    private LinphonePhone newPhone() {
        return LinphonePhone.startRegistered(sandbox, Sandbox.uniqueName("linphone"), "x", T);
    }

    private String ghostOf(String sipUser) {
        return MatrixSide.ghostOf(sipUser + "@" + sandbox.get("SIP_DOMAIN"), sandbox.get("MATRIX_SERVER_NAME"));
    }

    private static String uniq(String text) {
        return text + " " + Sandbox.uniqueName("m");
    }

    @Test
    void linphonecWritesToAMatrixUserFirstAndGetsTheAnswer() {
        try (LinphonePhone phone = newPhone()) {
            String hi = uniq("héllo ✓ from linphonec");
            phone.sendMessage(carolPuppet, hi);
            String ghost = ghostOf(phone.user());
            MatrixSide.Seen invite = carol.await("a DM invite from " + ghost, e -> e.invite()
                && "m.room.member".equals(e.type()) && ghost.equals(e.sender()), T);
            carol.join(invite.roomId());
            MatrixSide.Seen got = carol.await("linphonec's message", e -> invite.roomId().equals(e.roomId())
                && "m.room.message".equals(e.type()) && e.body().startsWith("héllo ✓ from linphonec"), T);
            assertEquals(hi, got.body());
            assertEquals(ghost, got.sender());
            List<String> sent = phone.sentContentTypes(carolPuppet);
            assertFalse(sent.isEmpty(), "no MESSAGE to " + carolPuppet + " in linphonec's SIP trace");
            assertEquals(List.of("text/plain"), sent.stream().distinct().toList());

            String answer = uniq("héllo ✓ from matrix");
            carol.send(invite.roomId(), answer);
            phone.awaitMessage(carolPuppet, answer, T);
        }
    }

    @Test
    void aMatrixUserOpensADmWithLinphonecsGhost() {
        try (LinphonePhone phone = newPhone()) {
            String ghost = ghostOf(phone.user());
            String roomId = carol.openDmWith(ghost, T);
            String hello = uniq("héllo ✓ linphonec, carol here");
            carol.send(roomId, hello);
            phone.awaitMessage(carolPuppet, hello, T);
            // liblinphone confirms delivery with an RFC 5438 IMDN, deflated (Content-Encoding: deflate)
            assertEquals(200, phone.awaitFinalResponse("message/imdn+xml", T));

            String reply = uniq("héllo ✓ carol, linphonec here");
            phone.sendMessage(carolPuppet, reply);
            MatrixSide.Seen got = carol.await("linphonec's reply in the same DM", e -> roomId.equals(e.roomId())
                && "m.room.message".equals(e.type()) && e.body().startsWith("héllo ✓ carol, linphonec here"), T);
            assertEquals(reply, got.body());
            assertEquals(ghost, got.sender());
        }
    }

    @Test
    void linphonecAndAnXmppUserChatBothWays() throws Exception {
        try (LinphonePhone phone = newPhone()) {
            String hi = uniq("héllo ✓ alice, from linphonec");
            phone.sendMessage(alice.sipPuppet(), hi);
            Message got = alice.await("linphonec's message",
                m -> m.getBody().startsWith("héllo ✓ alice, from linphonec"), T);
            assertEquals(hi, got.getBody());
            assertTrue(got.getFrom().toString().contains(phone.user()), got.getFrom().toString());

            String answer = uniq("héllo ✓ linphonec, alice here");
            alice.sendChat(got.getFrom(), answer);
            phone.awaitMessage(alice.sipPuppet(), answer, T);
        }
    }
}
