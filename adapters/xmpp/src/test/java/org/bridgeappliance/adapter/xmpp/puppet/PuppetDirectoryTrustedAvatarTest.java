package org.bridgeappliance.adapter.xmpp.puppet;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** bridge.xmpp.avatar-trusted-url-prefixes: http on loopback is fetched only under a trusted prefix. */
class PuppetDirectoryTrustedAvatarTest {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3};

    HttpServer server;
    final List<String> requested = new CopyOnWriteArrayList<>();
    String base;
    PuppetDirectory puppets;

    @BeforeEach
    void serve() throws Exception {
        // Smack's Base64 encoder (used by VCard.setAvatar) is installed by its initialisation.
        org.bridgeappliance.adapter.xmpp.ext.XmppExtensions.register();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requested.add(path);
            if (path.endsWith("/redirect")) {
                exchange.getResponseHeaders().add("Location", base + "/other/target.png");
                exchange.sendResponseHeaders(302, -1);
            } else {
                exchange.getResponseHeaders().add("Content-Type", "image/png");
                exchange.sendResponseHeaders(200, PNG.length);
                exchange.getResponseBody().write(PNG);
            }
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        puppets = new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"), InMemoryStores.create().puppets(),
                Network.of("xmpp"), Clock.systemUTC(), List.of(base + "/trusted/"));
    }

    @AfterEach
    void stop() {
        puppets.close();
        server.stop(0);
    }

    @Test
    void onlyTrustedPrefixesAreFetchedAndRedirectsAreNotFollowed() throws Exception {
        UserRef outside = person("outside");
        UserRef climber = person("climber");
        UserRef redirected = person("redirected");
        UserRef trusted = person("trusted");
        puppets.ensure(outside, avatar(base + "/other/a.png"));
        puppets.ensure(climber, avatar(base + "/trusted/../other/b.png"));
        puppets.ensure(redirected, avatar(base + "/trusted/redirect"));
        puppets.ensure(trusted, avatar(base + "/trusted/c.png"));

        // The fetcher is one FIFO thread: once the last avatar is there, the earlier ones were tried too.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (puppets.vcard(trusted).getAvatar() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertArrayEquals(PNG, puppets.vcard(trusted).getAvatar());
        assertTrue(puppets.photoUpdate(trusted).toXML().toString().contains(
                java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(PNG))));

        assertNull(puppets.vcard(outside).getAvatar());
        assertNull(puppets.vcard(climber).getAvatar());
        assertNull(puppets.vcard(redirected).getAvatar());
        assertEquals(List.of("/trusted/redirect", "/trusted/c.png"), requested,
                "only trusted URLs are requested, and the redirect's target never is");
    }

    @Test
    void withoutTrustedPrefixesLoopbackHttpIsNeverFetched() throws Exception {
        var plain = new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"), InMemoryStores.create().puppets(),
                Network.of("xmpp"), Clock.systemUTC());
        try {
            assertFalse(plain.isTrusted(URI.create(base + "/trusted/c.png")));
            plain.ensure(person("p"), avatar(base + "/trusted/c.png"));
            assertNull(plain.vcard(person("p")).getAvatar());
        } finally {
            plain.close();
        }
        // The http scheme is refused before any request is queued.
        assertEquals(List.of(), requested);
    }

    @Test
    void trustMatchesTheNormalizedPrefixExactly() {
        assertTrue(puppets.isTrusted(URI.create(base + "/trusted/x/y.png")));
        assertTrue(puppets.isTrusted(URI.create(base + "/trusted/./y.png")));
        assertFalse(puppets.isTrusted(URI.create(base + "/trusted")));
        assertFalse(puppets.isTrusted(URI.create(base + "/trustedx/y.png")));
        assertFalse(puppets.isTrusted(URI.create(base + "/trusted/%2e%2e/other/y.png")));
        assertFalse(puppets.isTrusted(URI.create(base + "/trusted/a%2Fb.png")));
        assertFalse(puppets.isTrusted(URI.create("http://u@127.0.0.1:" + server.getAddress().getPort() + "/trusted/y")));
        assertFalse(puppets.isTrusted(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/trusted/y")));
        assertFalse(puppets.isTrusted(URI.create("mxc://matrix.test/abc")));
    }

    @Test
    void badPrefixesAreReported() {
        assertEquals("", PuppetDirectory.prefixProblems(List.of("http://127.0.0.1:18480/_bridge/matrix/media/")));
        assertFalse(PuppetDirectory.prefixProblems(List.of("file:///etc/")).isEmpty());
        assertFalse(PuppetDirectory.prefixProblems(List.of("/relative/")).isEmpty());
        assertFalse(PuppetDirectory.prefixProblems(List.of("http://user@host/")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"),
                InMemoryStores.create().puppets(), Network.of("xmpp"), Clock.systemUTC(), List.of("ftp://h/")));
        // A prefix without a path gets the slash after the authority, so it cannot match a longer host name.
        var hostOnly = new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"), InMemoryStores.create().puppets(),
                Network.of("xmpp"), Clock.systemUTC(), List.of("http://127.0.0.1"));
        try {
            assertTrue(hostOnly.isTrusted(URI.create("http://127.0.0.1/x.png")));
            assertFalse(hostOnly.isTrusted(URI.create("http://127.0.0.1.nip.io/x.png")));
        } finally {
            hostOnly.close();
        }
    }

    static UserRef person(String name) {
        return UserRef.of("matrix", "@" + name + ":matrix.test");
    }

    static Profile avatar(String uri) {
        return new Profile(Optional.of("N"), Optional.of(URI.create(uri)));
    }
}
