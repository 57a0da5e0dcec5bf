package org.bridgeappliance.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

    /** Issue 9: benchmarking and reserved IPv4 ranges, and IPv6 forms that lead to an internal IPv4 address. */
    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.1", "198.19.255.254", "240.0.0.1", "255.255.255.255",
        "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "64:ff9b:1:ffff::808:808",
        "2002:7f00:1::", "2002:a00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101:1::1"})
    void nat64SixToFourBenchmarkingAndReservedRangesAreInternal(String literal) throws Exception {
        assertTrue(UrlSafety.isInternal(InetAddress.getByName(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.17.255.255", "198.20.0.1", "64:ff9b::808:808",
        "2002:808:808::1", "64:ff9b:2::1"})
    void nat64AndSixToFourOfPublicAddressesArePublic(String literal) throws Exception {
        assertFalse(UrlSafety.isInternal(InetAddress.getByName(literal)), literal);
    }

    /** Issue 9: metadata and "this network" reached through NAT64 or a 6to4 relay are refused even on-premises. */
    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "64:ff9b::", "2002::1"})
    void nat64AndSixToFourFormsOfMetadataAreAlwaysRefused(String literal) throws Exception {
        assertTrue(UrlSafety.isAlwaysRefused(InetAddress.getByName(literal)), literal);
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

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "http://host/avatar", "http://host/a/../b/", "http://host/./a/", "http://host/%2e%2e/",
        "http://host/a%2fb/", "http://host/a%5cb/", "http://host/x/#f", "/relative/path/"})
    void strictPrefixRulesNameTheEntry(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UrlSafety.withTrustedPrefixes("bridge.test.prefixes", List.of("https://ok.example/media/", bad)));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bridge.test.prefixes: bad entry \"" + bad + "\": "), e.getMessage());
    }

    @Test
    void prefixesAreStoredInCanonicalForm() {
        assertEquals(List.of("https://ok.example/media/", "http://h:8080/", "https://h/", "http://h/"),
                UrlSafety.withTrustedPrefixes("k", List.of("https://OK.example:443/media/", "http://h:8080", "HTTPS://h/",
                        "http://H:80")).trustedPrefixes());
    }

    @Test
    void candidatesAreCanonicalizedLikeThePrefixes() {
        UrlSafety s = UrlSafety.withTrustedPrefixes("k", List.of("http://h.example/media/", "https://up.example"));
        assertTrue(s.isTrusted(URI.create("http://h.example:80/media/x")), "default port");
        assertTrue(s.isTrusted(URI.create("http://H.Example/media/x")), "host case");
        assertTrue(s.isTrusted(URI.create("http://h.example/media/a/../b")), "dot segments inside the prefix");
        assertTrue(s.isTrusted(URI.create("https://up.example")), "an empty path is '/'");
        assertTrue(s.isTrusted(URI.create("https://up.example:443/x?y=1")));
        assertFalse(s.isTrusted(URI.create("http://h.example:8080/media/x")), "another port");
        assertFalse(s.isTrusted(URI.create("https://h.example/media/x")), "another scheme");
        assertFalse(s.isTrusted(URI.create("https://up.example/../x")), "climbing above the root");
        assertFalse(s.isTrusted(URI.create("https://up.example/..")));
        assertEquals(URI.create("http://h.example/media/b"),
                s.trustedForm(URI.create("HTTP://h.example:80/media/a/../b")).orElseThrow(), "what is requested");
        assertTrue(s.trustedForm(URI.create("http://h.example/other")).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "fe80::1", "224.0.0.1", "ff02::1", "0.0.0.0", "0.1.2.3", "::",
        "::ffff:169.254.169.254", "::ffff:0.0.0.0"})
    void alwaysRefusedAddresses(String literal) throws Exception {
        assertTrue(UrlSafety.isAlwaysRefused(InetAddress.getByName(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "fc00::1", "100.64.0.1", "8.8.8.8",
        "::ffff:127.0.0.1"})
    void addressesNotAlwaysRefused(String literal) throws Exception {
        assertFalse(UrlSafety.isAlwaysRefused(InetAddress.getByName(literal)), literal);
    }

    @Test
    void checkHopRefusesInternalHostsUnlessTrustedOrAllowedAndMetadataAlways() throws Exception {
        UrlSafety s = UrlSafety.withTrustedPrefixes("bridge.test.prefixes", List.of("http://127.0.0.1:18480/trusted/"));
        IOException internal = assertThrows(IOException.class, () -> s.checkHop(URI.create("http://127.0.0.1:18480/x"), false));
        assertTrue(internal.getMessage().contains("private address 127.0.0.1 (not under bridge.test.prefixes)"),
                internal.getMessage());
        assertEquals(URI.create("http://127.0.0.1:18480/x"), s.checkHop(URI.create("http://127.0.0.1:18480/x"), true));
        assertEquals(URI.create("http://127.0.0.1:18480/trusted/b"),
                s.checkHop(URI.create("HTTP://127.0.0.1:18480/trusted/a/../b#frag"), false), "trusted: canonical, no fragment");
        for (boolean allow : new boolean[] {false, true}) {
            IOException metadata = assertThrows(IOException.class,
                    () -> s.checkHop(URI.create("http://169.254.169.254/latest/meta-data/"), allow));
            assertTrue(metadata.getMessage().contains("169.254.169.254"), metadata.getMessage());
            assertThrows(IOException.class, () -> s.checkHop(URI.create("http://[::ffff:169.254.169.254]/"), allow));
            assertThrows(IOException.class, () -> s.checkHop(URI.create("ftp://8.8.8.8/x"), allow));
            assertThrows(IOException.class, () -> s.checkHop(URI.create("file:///etc/passwd"), allow));
        }
        assertEquals(URI.create("http://8.8.8.8/x?q=1"), UrlSafety.publicOnly().checkHop(URI.create("http://8.8.8.8/x?q=1#f"),
                false), "public: as given, without the fragment");
        IOException noKey = assertThrows(IOException.class,
                () -> UrlSafety.publicOnly().checkHop(URI.create("http://10.0.0.1/x"), false));
        assertTrue(noKey.getMessage().endsWith("private address 10.0.0.1"), noKey.getMessage());
    }
}
