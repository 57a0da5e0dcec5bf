package org.bridgeappliance.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UrlSafetyTest {
    private final UrlSafety safety = UrlSafety.withTrustedPrefixes("bridge.test.prefixes",
            List.of("http://127.0.0.1:18480/_bridge/xmpp/avatar/", "https://upload.example.org"));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "0.1.2.3", "100.64.0.1", "100.127.255.254", "224.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "ff02::1"})
    void internalAddresses(String literal) throws Exception {
        assertTrue(UrlSafety.isInternal(InetAddress.getByName(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.1", "2001:db8::1",
        "2606:4700::1111", "::ffff:8.8.8.8"})
    void publicAddresses(String literal) throws Exception {
        assertFalse(UrlSafety.isInternal(InetAddress.getByName(literal)), literal);
    }

    @Test
    void literalHostsResolveWithoutDns() throws Exception {
        assertFalse(UrlSafety.allPublic("127.0.0.1"));
        assertTrue(UrlSafety.allPublic("8.8.8.8"));
    }

    @Test
    void urlsUnderATrustedPrefixAreTrusted() {
        assertTrue(safety.isTrusted(URI.create("http://127.0.0.1:18480/_bridge/xmpp/avatar/a/b/c")));
        assertTrue(safety.isTrusted(URI.create("https://upload.example.org/file.png")));
        assertTrue(safety.isTrusted(URI.create("HTTPS://upload.example.org/x")), "scheme case does not matter");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://127.0.0.1:18480/_bridge/xmpp/avatar/../../admin",
        "http://127.0.0.1:18480/_bridge/xmpp/avatar/%2e%2e/%2e%2e/admin",
        "http://127.0.0.1:18480/_bridge/xmpp/avatar/..%2f..%2fadmin",
        "http://127.0.0.1:18480/_bridge/xmpp/avatar/..%5c..%5cadmin",
        "http://127.0.0.1:18480/_bridge/matrix/media/x",
        "http://127.0.0.1:18481/_bridge/xmpp/avatar/x",
        "http://evil@127.0.0.1:18480/_bridge/xmpp/avatar/x",
        "http://127.0.0.1:18480/_bridge/xmpp/avatar/x#frag",
        "https://upload.example.org.evil.example/x",
        "ftp://upload.example.org/x",
        "/_bridge/xmpp/avatar/x",
        "mailto:someone@upload.example.org"})
    void urlsThatOnlyLookTrustedAreNot(String url) {
        assertFalse(safety.isTrusted(URI.create(url)), url);
    }

    @Test
    void noPrefixesTrustNothing() {
        assertFalse(UrlSafety.publicOnly().isTrusted(URI.create("https://upload.example.org/x")));
    }

    @Test
    void badPrefixesAreRefusedNamingTheSettingAndEveryEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UrlSafety.withTrustedPrefixes(
                "bridge.test.prefixes", List.of("ftp://x/", "https://ok.example/", "http:///nohost", "https://u@h/",
                        "https://h/?q", "not a url")));
        String message = e.getMessage();
        assertEquals(5, message.lines().count(), message);
        assertTrue(message.lines().allMatch(l -> l.startsWith("bridge.test.prefixes: ")), message);
        assertTrue(message.contains("ftp://x/") && message.contains("not a url"), message);
        assertThrows(IllegalArgumentException.class, () -> UrlSafety.withTrustedPrefixes("k", null));
    }
}
