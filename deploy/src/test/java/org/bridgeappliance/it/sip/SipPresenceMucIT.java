package org.bridgeappliance.it.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.it.bridge.BridgeFixture;
import org.bridgeappliance.it.harness.BaresipPhone;
import org.bridgeappliance.it.harness.Queues;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.Sipp;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.Jid;

/**
 * A phone's presence on its puppet's MUC occupancy, through the RUNNING appliance of the sandbox: an XMPP MUC
 * (real Prosody) mapped with a SIP room; a baresip phone joins the SIP room and writes, so its XMPP puppet is an
 * occupant of the MUC; the appliance watches the phone at the real Kamailio (a room member), and a sipp PUBLISH
 * with {@code rpid:away} and a note changes the puppet's occupant presence (show away, status = the note), seen
 * by a Smack occupant of the MUC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipPresenceMucIT {
    private static final Duration T = Duration.ofSeconds(30);
    private final Sandbox sandbox = Sandbox.get();
    private BridgeFixture fx;
    private String mapping;
    private BaresipPhone phone;
    private final BlockingQueue<Message> olgaGets = new LinkedBlockingQueue<>();
    private final BlockingQueue<Presence> olgaPresences = new LinkedBlockingQueue<>();

    @BeforeAll
    void setUp() {
        sandbox.requireAppliance();
        fx = new BridgeFixture();
    }

    @AfterAll
    void tearDown() {
        if (phone != null) {
            phone.close();
        }
        if (mapping != null) {
            fx.admin("DELETE", "/api/v1/rooms/" + mapping, null);
        }
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aPhonesPublishedAwayShowsOnItsPuppetsMucOccupantPresence() throws Exception {
        XmppUsers.User olga = fx.xmpp.registerAndLogin("olga");
        olga.connection().addAsyncStanzaListener(st -> olgaGets.add((Message) st),
            st -> st instanceof Message m && m.getBody() != null);
        olga.connection().addAsyncStanzaListener(st -> olgaPresences.add((Presence) st), st -> st instanceof Presence);
        MultiUserChat muc = fx.createMuc(olga, "olga");
        String roomUri = "sip:" + Sandbox.uniqueName("mucroom").replace('_', '-') + "@rooms."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
        String body = "{\"name\":\"SIP and MUC\",\"enabled\":true,\"portals\":[{\"network\":\"xmpp\",\"room\":\""
            + muc.getRoom() + "\"},{\"network\":\"sip\",\"room\":\"" + roomUri + "\"}]}";
        HttpResponse<String> r = fx.admin("POST", "/api/v1/rooms", body);
        assertEquals(201, r.statusCode(), r.body());
        mapping = r.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        // The XMPP adapter joins mapped MUCs on its periodic room sync.
        BridgeFixture.awaitCondition("the bridge joining " + muc.getRoom(), () -> muc.getOccupantsCount() >= 2, T);

        // The phone joins the SIP room and writes: its XMPP puppet writes in the MUC, as an occupant.
        String user = Sandbox.uniqueName("pia");
        phone = BaresipPhone.startRegistered(sandbox, user,
            List.of("sip:nobody@" + sandbox.get("SIP_DOMAIN"), roomUri), T);
        phone.sendMessage(roomUri, "#join");
        phone.awaitConsole(roomUri + ": \"*** You joined SIP and MUC", T);
        String hello = "hello muc " + Sandbox.uniqueName("m");
        phone.sendMessage(roomUri, hello);
        Jid occupant = senderOf(hello);
        assertEquals(muc.getRoom(), occupant.asBareJid(), "the phone writes as an occupant of the MUC");

        // The phone publishes away with a note (the appliance watches it as a room member, at Kamailio).
        String note = "in a meeting " + Sandbox.uniqueName("n");
        Sipp.scenario(sandbox, "uac_publish_rpid.xml").viaProxy().key("user", user)
            .key("domain", sandbox.get("SIP_DOMAIN")).key("note", note).key("activity", "away").run().assertSuccess(T);

        Presence seen = olgaPresence("the puppet's occupant presence with status " + note,
            p -> occupant.equals(p.getFrom()) && note.equals(p.getStatus()), Instant.now().plus(T));
        assertEquals(Presence.Type.available, seen.getType(), seen.toXML().toString());
        assertEquals(Presence.Mode.away, seen.getMode(), seen.toXML().toString());
        // Smack's own view of the room agrees (its MultiUserChat updates the occupant in a listener of its own, which
        // may run after the one that collected the stanza above: wait for it, do not read it once)
        BridgeFixture.awaitCondition("Smack's MUC view of " + occupant + " away with the note", () -> {
            Presence inRoom = muc.getOccupantPresence(occupant.asEntityFullJidIfPossible());
            return inRoom != null && inRoom.getMode() == Presence.Mode.away && note.equals(inRoom.getStatus());
        }, T);
    }

    /** Who sent Olga the groupchat message {@code body} (the phone's puppet's occupant JID, room@service/nick). */
    private Jid senderOf(String body) throws InterruptedException {
        Message m;
        do {
            m = olgaGets.poll(T.toSeconds(), TimeUnit.SECONDS);
            assertTrue(m != null, "olga did not get '" + body + "'");
        } while (!body.equals(m.getBody()));
        return m.getFrom();
    }

    private Presence olgaPresence(String what, java.util.function.Predicate<Presence> match, Instant deadline)
            throws InterruptedException {
        return Queues.firstMatching(olgaPresences, "olga seeing " + what, p -> p.getFrom() != null && match.test(p),
            deadline);
    }
}
