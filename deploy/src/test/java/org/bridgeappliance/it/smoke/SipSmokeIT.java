package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.bridgeappliance.it.harness.BaresipPhone;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.SipTestListener;
import org.bridgeappliance.it.harness.Sipp;
import org.junit.jupiter.api.Test;

/**
 * Kamailio is real and does what the SIP side relies on: registrar, relay of pager-mode MESSAGE (RFC 3428) to
 * registered phones (sipp and baresip), presence server (PUBLISH/SUBSCRIBE/NOTIFY), and routing of the bridge's
 * domain to the bridge's SIP port.
 */
class SipSmokeIT {

    private static final Duration T = Duration.ofSeconds(30);
    private final Sandbox sandbox = Sandbox.get();

    @Test
    void messageReachesARegisteredSippPhone() {
        messageReachesARegisteredSippPhone(false);
    }

    @Test
    void messageReachesARegisteredSippPhoneOverTcp() {
        // the phone registers a ;transport=TCP contact, so Kamailio relays the MESSAGE over TCP
        messageReachesARegisteredSippPhone(true);
    }

    private void messageReachesARegisteredSippPhone(boolean tcp) {
        String erin = Sandbox.uniqueName("erin");
        Sipp uas = Sipp.scenario(sandbox, "uas_message.xml");
        Sipp register = Sipp.scenario(sandbox, "uac_register.xml");
        Sipp message = Sipp.scenario(sandbox, "uac_message.xml");
        if (tcp) {
            uas.tcp();
            register.tcp();
            message.tcp();
        }
        // one sipp cannot REGISTER and then receive a new MESSAGE: the phone is a second sipp, registered for it
        try (Sipp.Run phone = uas.start()) {
            register.viaProxy().key("user", erin).key("domain", sandbox.get("SIP_DOMAIN"))
                .key("contact_port", Integer.toString(phone.localPort())).key("expires", "300").run().assertSuccess(T);

            message.viaProxy().key("from", "frank").key("from_domain", sandbox.get("SIP_DOMAIN"))
                .key("to", erin).key("domain", sandbox.get("SIP_DOMAIN")).key("body", "hello erin äöü")
                .run().assertSuccess(T);

            phone.assertSuccess(T);
            String log = phone.logText();
            assertTrue(log.contains("GOT MESSAGE sip:" + erin + "@127.0.0.1:" + phone.localPort() + ";transport="
                + (tcp ? "TCP" : "UDP")), log);
            assertTrue(log.contains("<sip:frank@" + sandbox.get("SIP_DOMAIN") + ">"), log);
            assertTrue(log.contains("BODY hello erin äöü"), log);
        }
    }

    @Test
    void messageToAnUnregisteredUserIsAnsweredNotFound() {
        Sipp.Run r = Sipp.scenario(sandbox, "uac_message.xml").viaProxy().key("from", "frank")
            .key("from_domain", sandbox.get("SIP_DOMAIN")).key("to", Sandbox.uniqueName("nobody"))
            .key("domain", sandbox.get("SIP_DOMAIN")).key("body", "anyone?").timeout(Duration.ofSeconds(10)).run();
        // the scenario expects 200: a 404 from Kamailio makes the call fail (exit 1), not hang
        assertEquals(1, r.await(T), r.logText());
    }

    @Test
    void messageReachesARegisteredBaresipPhone() {
        String gina = Sandbox.uniqueName("gina");
        try (BaresipPhone phone = BaresipPhone.startRegistered(sandbox, gina, T)) {
            Sipp.scenario(sandbox, "uac_message.xml").viaProxy().key("from", "frank").key("from_domain", sandbox.get("SIP_DOMAIN"))
                .key("to", gina).key("domain", sandbox.get("SIP_DOMAIN")).key("body", "hello gina")
                .run().assertSuccess(T);
            // baresip prints an incoming MESSAGE on its console as: sip:from@domain: "text"
            phone.awaitConsole("sip:frank@" + sandbox.get("SIP_DOMAIN") + ": \"hello gina", T);
        }
    }

    @Test
    void baresipPhoneSendsAMessageThroughKamailio() {
        String probeUri = "sip:" + Sandbox.uniqueName("someone") + "@" + sandbox.get("SIP_PROBE_DOMAIN");
        try (SipTestListener probe = SipTestListener.bind(sandbox.getInt("SIP_PROBE_PORT"),
                "SIP_PROBE_PORT, where Kamailio routes " + sandbox.get("SIP_PROBE_DOMAIN"));
             BaresipPhone phone = BaresipPhone.startRegistered(sandbox, Sandbox.uniqueName("ivy"), java.util.List.of(probeUri), T)) {
            phone.sendMessage(probeUri, "hello from baresip");
            SipTestListener.Request req = probe.awaitRequest(T);
            assertEquals("MESSAGE", req.method());
            assertEquals(probeUri, req.requestUri());
            assertTrue(req.header("from").contains("sip:" + phone.user() + "@" + sandbox.get("SIP_DOMAIN")), req.header("from"));
            assertTrue(req.header("content-type").startsWith("text/plain"), req.header("content-type"));
            assertEquals("hello from baresip", req.body().strip());
        }
    }

    @Test
    void messageToTheBridgeDomainReachesTheBridgeSipPort() {
        // The sandbox's appliance runs the SIP adapter on BRIDGE_SIP_PORT: a MESSAGE to a room URI nobody mapped is
        // routed there by Kamailio (for the subdomain rooms.BRIDGE_SIP_DOMAIN too) and answered 404 by the bridge.
        String target = Sandbox.uniqueName("lobby").replace('_', '-');
        Sipp.Run r = Sipp.scenario(sandbox, "uac_message_status.xml").viaProxy().key("from", "frank")
            .key("from_domain", sandbox.get("SIP_DOMAIN")).key("to", target)
            .key("domain", "rooms." + sandbox.get("BRIDGE_SIP_DOMAIN")).key("content_type", "text/plain")
            .key("body", "to the bridge").run();
        assertTrue(r.logText().contains("FINAL 404"), r.logText());
    }

    @Test
    void messageToTheProbeDomainReachesTheTestListener() {
        try (SipTestListener probe = SipTestListener.bind(sandbox.getInt("SIP_PROBE_PORT"),
            "SIP_PROBE_PORT, where Kamailio routes " + sandbox.get("SIP_PROBE_DOMAIN"))) {
            Sipp.scenario(sandbox, "uac_message.xml").viaProxy().key("from", "frank").key("from_domain", sandbox.get("SIP_DOMAIN"))
                .key("to", "someone").key("domain", sandbox.get("SIP_PROBE_DOMAIN")).key("body", "to the probe")
                .run().assertSuccess(T);
            SipTestListener.Request req = probe.awaitRequest(T);
            assertEquals("sip:someone@" + sandbox.get("SIP_PROBE_DOMAIN"), req.requestUri());
            assertEquals("to the probe", req.body().strip());
        }
    }

    @Test
    void presencePublishedToKamailioReachesAWatcher() {
        String hank = Sandbox.uniqueName("hank");
        Sipp.scenario(sandbox, "uac_publish.xml").viaProxy().key("user", hank).key("domain", sandbox.get("SIP_DOMAIN"))
            .key("note", "online via sipp").run().assertSuccess(T);
        Sipp.Run watcher = Sipp.scenario(sandbox, "uac_subscribe_open.xml").viaProxy().key("user", hank)
            .key("domain", sandbox.get("SIP_DOMAIN")).run().assertSuccess(T);
        assertTrue(watcher.logText().contains("<basic>open</basic>"), watcher.logText());
    }
}
