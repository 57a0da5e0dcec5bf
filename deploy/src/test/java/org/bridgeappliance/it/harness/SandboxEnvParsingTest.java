package org.bridgeappliance.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Unit tests (no servers) of the harness's parsing of .sandbox/env and of SIP requests. */
class SandboxEnvParsingTest {

    @Test
    void parsesKeyValueLinesAsDeploySandboxShWritesThem() {
        Map<String, String> env = Sandbox.parseEnv(List.of(
            "# comment",
            "",
            "XMPP_PORT=15222",
            "DEMO_XMPP_USERS='alice:abc bob:def'",
            "MATRIX_BOT_USER=@bridgebot:matrix.test",
            "EMPTY="));
        assertEquals("15222", env.get("XMPP_PORT"));
        assertEquals("alice:abc bob:def", env.get("DEMO_XMPP_USERS"));
        assertEquals("@bridgebot:matrix.test", env.get("MATRIX_BOT_USER"));
        assertEquals("", env.get("EMPTY"));
    }

    @Test
    void rejectsLinesThatAreNotKeyValue() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> Sandbox.parseEnv(List.of("XMPP_PORT=1", "export FOO")));
        // the message names the line, never its content (it may hold a secret)
        assertEquals("line 2 of .sandbox/env is not KEY=value", e.getMessage());
    }

    @Test
    void uniqueNamesAreDistinctAndValidEverywhere() {
        String a = Sandbox.uniqueName("alice");
        String b = Sandbox.uniqueName("alice");
        assertEquals(false, a.equals(b));
        assertEquals(true, a.matches("[a-z0-9_]+"), a);
        assertThrows(IllegalArgumentException.class, () -> Sandbox.uniqueName("Alice"));
    }

    @Test
    void parsesASipRequestWithCompactHeaders() {
        SipTestListener.Request r = SipTestListener.parse("MESSAGE sip:x@bridge.sip.test SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 127.0.0.1:15060;branch=z9hG4bK1\r\nf: <sip:a@sip.test>;tag=1\r\nt: <sip:x@bridge.sip.test>\r\n"
            + "i: abc\r\nCSeq: 1 MESSAGE\r\nl: 2\r\n\r\nhi");
        assertEquals("MESSAGE", r.method());
        assertEquals("sip:x@bridge.sip.test", r.requestUri());
        assertEquals("abc", r.header("Call-ID"));
        assertEquals("<sip:a@sip.test>;tag=1", r.header("from"));
        assertEquals("hi", r.body());
        assertNull(SipTestListener.parse("SIP/2.0 200 OK\r\n\r\n"));
    }
}
