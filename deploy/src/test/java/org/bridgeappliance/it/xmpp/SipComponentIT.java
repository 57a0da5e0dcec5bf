package org.bridgeappliance.it.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.it.harness.BaresipPhone;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The second XMPP component of the RUNNING appliance: SIP people and rooms live on {@code sip.<xmpp domain>}, a
 * component stream of its own next to {@code matrix.<xmpp domain>}. Against the sandbox's real Prosody (both
 * components declared with their own secrets), real Kamailio and a real baresip phone: the SIP component answers
 * disco#info with its own identity, and a Smack user's 1:1 message to a SIP person's puppet JID reaches the phone
 * through the router, whose answer comes back from that puppet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipComponentIT {
    private static final Duration T = Duration.ofSeconds(30);
    private final Sandbox sandbox = Sandbox.get();
    private XmppUsers xmpp;
    private XmppUsers.User alice;
    private final BlockingQueue<Message> aliceGets = new LinkedBlockingQueue<>();

    @BeforeAll
    void setUp() {
        sandbox.requireAppliance();
        xmpp = new XmppUsers(sandbox);
        alice = xmpp.registerAndLogin("alice");
        alice.connection().addAsyncStanzaListener(st -> aliceGets.add((Message) st),
            st -> st instanceof Message m && m.getBody() != null);
    }

    @AfterAll
    void tearDown() {
        if (xmpp != null) {
            xmpp.close();
        }
    }

    private DiscoverInfo info(String domain) throws Exception {
        return ServiceDiscoveryManager.getInstanceFor(alice.connection()).discoverInfo(JidCreate.domainBareFrom(domain));
    }

    @Test
    void eachNetworkHasItsOwnComponentWithItsOwnIdentity() throws Exception {
        DiscoverInfo sip = info(sandbox.get("BRIDGE_XMPP_SIP_DOMAIN"));
        assertTrue(sip.hasIdentity("gateway", "sip"), sip.toXML().toString());
        assertEquals(List.of("SIP bridge"), sip.getIdentities("gateway", "sip").stream()
            .map(DiscoverInfo.Identity::getName).toList(), sip.toXML().toString());
        assertTrue(sip.hasIdentity("conference", "text"), "gateway rooms are offered: " + sip.toXML());

        DiscoverInfo matrix = info(sandbox.get("BRIDGE_XMPP_MATRIX_DOMAIN"));
        assertEquals(List.of("Matrix bridge"), matrix.getIdentities("gateway", "matrix").stream()
            .map(DiscoverInfo.Identity::getName).toList(), matrix.toXML().toString());
        assertTrue(matrix.getIdentities("gateway", "sip").isEmpty(), matrix.toXML().toString());
    }

    @Test
    void aMessageToASipPersonsPuppetReachesThePhoneAndTheAnswerComesFromThatPuppet() throws Exception {
        String user = Sandbox.uniqueName("erin");
        String alicePuppet = "sip:" + alice.jid().getLocalpart() + "*" + alice.jid().getDomain() + "@xmpp."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
        try (BaresipPhone erin = BaresipPhone.startRegistered(sandbox, user, List.of(alicePuppet), T)) {
            // The SIP person erin@sip.test, on the SIP component in the sandbox's user-host form: erin%sip.test.
            EntityBareJid puppet = JidCreate.entityBareFrom(user + "%" + sandbox.get("SIP_DOMAIN") + "@"
                + sandbox.get("BRIDGE_XMPP_SIP_DOMAIN"));
            DiscoverInfo who = ServiceDiscoveryManager.getInstanceFor(alice.connection()).discoverInfo(puppet);
            assertTrue(who.hasIdentity("client", "bridge"), who.toXML().toString());

            String hello = "héllo ✓ erin, alice here " + Sandbox.uniqueName("m");
            alice.connection().sendStanza(alice.connection().getStanzaFactory().buildMessageStanza()
                .to(puppet).ofType(Message.Type.chat).setBody(hello).build());
            erin.awaitConsole(alicePuppet + ": \"" + hello, T);

            String answer = "hi alice ✓ " + Sandbox.uniqueName("m");
            erin.sendMessage(alicePuppet, answer);
            Message got = awaitXmpp(answer);
            assertEquals(puppet, got.getFrom().asBareJid(), "the answer comes from the SIP person's puppet");
        }
    }

    private Message awaitXmpp(String body) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            Message m = left <= 0 ? null : aliceGets.poll(left, TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("alice got no message '" + body + "' within " + T);
            }
            if (body.equals(m.getBody())) {
                return m;
            }
        }
    }
}
