package org.bridgeappliance.it.sip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.it.harness.BaresipPhone;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.Sipp;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.jxmpp.jid.Jid;

/**
 * SIP presence through the RUNNING appliance of the sandbox: phones (baresip with {@code ;presence=p2p} contacts,
 * sipp) SUBSCRIBE through the real Kamailio to the puppet URIs of a Matrix user (real Synapse) and an XMPP user
 * (real Prosody); the appliance answers as presence server of its domains and NOTIFYs what the Matrix and XMPP
 * people do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SipPresenceIT {
    private static final Duration T = Duration.ofSeconds(30);
    /** The issue's bound: a change shows on the phone within 2 s. */
    private static final Duration SHOWN_WITHIN = Duration.ofSeconds(2);
    private final Sandbox sandbox = Sandbox.get();
    private MatrixSide carol;
    private String carolPuppet;
    private XmppUsers xmpp;
    private XmppUsers.User alice;
    private String alicePuppet;
    private String erinUser;
    private Jid erinOnXmpp;
    private BaresipPhone erin;
    private final BlockingQueue<Message> aliceGets = new LinkedBlockingQueue<>();

    @BeforeAll
    void setUp() throws Exception {
        sandbox.requireAppliance();
        carol = new MatrixSide(sandbox, "carol", "Carol Presence");
        carolPuppet = "sip:" + carol.localpart() + "*" + sandbox.get("MATRIX_SERVER_NAME") + "@matrix."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
        xmpp = new XmppUsers(sandbox);
        alice = xmpp.registerAndLogin("alice");
        alice.connection().addAsyncStanzaListener(st -> aliceGets.add((Message) st),
            st -> st instanceof Message m && m.getBody() != null);
        alicePuppet = "sip:" + alice.jid().getLocalpart() + "*" + alice.jid().getDomain() + "@xmpp."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
        erinUser = Sandbox.uniqueName("erin");
        // The phone first writes to both, so that Carol shares a DM with its ghost (Synapse then tells the bridge
        // her presence) and Alice learns its XMPP puppet (where she sends her presence, as to any contact).
        try (BaresipPhone writer = BaresipPhone.startRegistered(sandbox, erinUser,
                List.of("sip:nobody@" + sandbox.get("SIP_DOMAIN"), carolPuppet, alicePuppet), T)) {
            String hi = "hi carol " + Sandbox.uniqueName("m");
            writer.sendMessage(carolPuppet, hi);
            String ghost = MatrixSide.ghostOf(erinUser + "@" + sandbox.get("SIP_DOMAIN"),
                sandbox.get("MATRIX_SERVER_NAME"));
            MatrixSide.Seen invite = carol.await("a DM invite from " + ghost, e -> e.invite()
                && "m.room.member".equals(e.type()) && ghost.equals(e.sender()), T);
            carol.join(invite.roomId());
            carol.await("the phone's message", e -> invite.roomId().equals(e.roomId()) && hi.equals(e.body()), T);

            String hello = "hi alice " + Sandbox.uniqueName("m");
            writer.sendMessage(alicePuppet, hello);
            Message m;
            do {
                m = aliceGets.poll(T.toSeconds(), TimeUnit.SECONDS);
                assertTrue(m != null, "alice got no message from the phone");
            } while (!hello.equals(m.getBody()));
            erinOnXmpp = m.getFrom().asBareJid();
        }
        // Carol syncs, so Synapse has her online: a change to away is what the bridge hears about.
        setMatrixPresence("unavailable", "busy day");
        sendXmppPresence(Presence.Mode.available, null);
        erin = BaresipPhone.startWatching(sandbox, erinUser, List.of(carolPuppet, alicePuppet), T);
    }

    @AfterAll
    void tearDown() {
        if (erin != null) {
            erin.close();
        }
        if (xmpp != null) {
            xmpp.close();
        }
    }

    private void setMatrixPresence(String presence, String status) {
        var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("presence", presence);
        if (status != null) {
            body.put("status_msg", status);
        }
        var r = carol.client.call("PUT", "/_matrix/client/v3/presence/" + MatrixSide.enc(carol.userId()) + "/status",
            carol.session.accessToken(), body);
        assertTrue(r.ok(), "presence PUT -> " + r.status() + " " + r.body());
    }

    private void sendXmppPresence(Presence.Mode mode, String status) throws Exception {
        var b = alice.connection().getStanzaFactory().buildPresenceStanza().to(erinOnXmpp).setMode(mode);
        if (status != null) {
            b.setStatus(status);
        }
        alice.connection().sendStanza(b.build());
    }

    @Test
    @Order(1)
    void baresipSubscribesThroughKamailioAndShowsBothPeople() {
        // Carol away (baresip 1.0 shows <rpid:away/> as closed: "Offline"), Alice available: in the immediate
        // NOTIFY if the bridge knew already, else in the next one when the router delivers the change.
        erin.awaitPresence(alicePuppet, "Online", T);
        erin.awaitPresence(carolPuppet, "Offline", T);
    }

    @Test
    @Order(3)
    void theXmppUserGoingAwayShowsWithinTwoSeconds() throws Exception {
        sendXmppPresence(Presence.Mode.away, "lunch");
        // baresip 1.0 shows <rpid:away/> as closed ("Offline"; subscriber.c)
        Duration took = erin.awaitPresence(alicePuppet, "Offline", T);
        assertTrue(took.compareTo(SHOWN_WITHIN) <= 0, "shown after " + took);
        sendXmppPresence(Presence.Mode.dnd, "focus");
        took = erin.awaitPresence(alicePuppet, "Busy", T);
        assertTrue(took.compareTo(SHOWN_WITHIN) <= 0, "dnd shown after " + took);
    }

    @Test
    @Order(4)
    void theMatrixUserComingBackAndGoingOfflineShowsWithinTwoSeconds() {
        setMatrixPresence("online", null);
        Duration took = erin.awaitPresence(carolPuppet, "Online", T);
        assertTrue(took.compareTo(SHOWN_WITHIN) <= 0, "online shown after " + took);
        setMatrixPresence("offline", null);
        took = erin.awaitPresence(carolPuppet, "Offline", T);
        assertTrue(took.compareTo(SHOWN_WITHIN) <= 0, "offline shown after " + took);
    }

    @Test
    @Order(5)
    void theImmediateNotifyCarriesTheStateAndARefreshWorksAndExpiresZeroEndsWithATerminatedNotify() {
        String user = alicePuppet.substring(4, alicePuppet.indexOf('@'));
        Sipp.Run run = Sipp.scenario(sandbox, "uac_subscribe_refresh.xml").viaProxy().key("user", user)
            .key("domain", alicePuppet.substring(alicePuppet.indexOf('@') + 1)).key("from", Sandbox.uniqueName("yves"))
            .key("from_domain", sandbox.get("SIP_DOMAIN")).run().assertSuccess(T);
        String log = run.logText();
        assertTrue(log.contains("SUBSCRIBED EXPIRES Expires: 120"), log);
        assertTrue(log.contains("NOTIFY 1 Subscription-State: active;expires="), log);
        // Alice is dnd since the XMPP test: the very first NOTIFY carries it (PIDF open + rpid:busy; sipp logs the values without the brackets)
        assertTrue(log.contains("NOTIFY 1 BODY <basic>open</basic> <rpid:busy/>"), log);
        assertTrue(log.contains("REFRESHED EXPIRES Expires: 90"), log);
        assertTrue(log.contains("NOTIFY 2 Subscription-State: active;expires="), log);
        assertTrue(log.contains("NOTIFY 3 Subscription-State: terminated"), log);
    }
}
