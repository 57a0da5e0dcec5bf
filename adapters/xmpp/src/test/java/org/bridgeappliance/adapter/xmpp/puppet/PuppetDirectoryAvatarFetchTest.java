package org.bridgeappliance.adapter.xmpp.puppet;

import static org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectoryTrustedAvatarTest.PNG;
import static org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectoryTrustedAvatarTest.avatar;
import static org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectoryTrustedAvatarTest.person;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.net.UrlSafety;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.SlowDripServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 9 items 5 and 6 on the XMPP side: the avatar fetch connects to the checked address, within one deadline. */
class PuppetDirectoryAvatarFetchTest {
    static final byte[] OTHER = "not the avatar that was checked".getBytes(StandardCharsets.US_ASCII);

    HttpServer checked;
    HttpServer rebound;
    final List<String> checkedHosts = new CopyOnWriteArrayList<>();
    final List<String> reboundPaths = new CopyOnWriteArrayList<>();
    int port;
    PuppetDirectory puppets;

    @BeforeEach
    void serve() throws Exception {
        org.bridgeappliance.adapter.xmpp.ext.XmppExtensions.register();
        checked = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        port = checked.getAddress().getPort();
        checked.createContext("/", exchange -> {
            checkedHosts.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, PNG.length);
            exchange.getResponseBody().write(PNG);
            exchange.close();
        });
        checked.start();
        // The second answer of the rebinding name: another loopback address, same port, other content.
        rebound = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), 0);
        rebound.createContext("/", exchange -> {
            reboundPaths.add(exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, OTHER.length);
            exchange.getResponseBody().write(OTHER);
            exchange.close();
        });
        rebound.start();
    }

    @AfterEach
    void stop() {
        if (puppets != null) {
            puppets.close();
        }
        checked.stop(0);
        rebound.stop(0);
    }

    /**
     * DNS rebinding (issue 9 item 5): the names resolve only through the test's resolver (.test is never
     * delegated, RFC 6761), which gives the checked address (127.0.0.1, allowed under the trusted prefix) at
     * the first question and another one (127.0.0.2) from the second on. A client that looked the name up
     * again would fail or reach the second server; the fetch must ask once and connect to the first. A name
     * whose answer is the cloud metadata address is refused before any connection, trusted prefix or not.
     */
    @Test
    void anAvatarFetchConnectsToTheAddressItCheckedNotToASecondLookup() throws Exception {
        Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
        UrlSafety.Resolver rebinding = host -> {
            int n = asked.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
            String first = host.startsWith("metadata.") ? "169.254.169.254" : "127.0.0.1";
            return new InetAddress[] {InetAddress.getByName(n == 1 ? first : "127.0.0.2")};
        };
        puppets = directory(List.of("http://avatar.rebind.test:" + port + "/trusted/",
                "http://metadata.rebind.test:" + port + "/trusted/"), rebinding, Duration.ofSeconds(5));
        UserRef metadata = person("metadata");
        UserRef rebinder = person("rebinder");
        puppets.ensure(metadata, avatar("http://metadata.rebind.test:" + port + "/trusted/m.png"));
        puppets.ensure(rebinder, avatar("http://avatar.rebind.test:" + port + "/trusted/a.png"));

        // The fetcher is one FIFO thread: once the last avatar is there, the earlier one was tried too.
        awaitAvatar(rebinder, Duration.ofSeconds(10));
        assertArrayEquals(PNG, puppets.vcard(rebinder).getAvatar(), "the content of the checked address");
        assertEquals(List.of("avatar.rebind.test:" + port), checkedHosts, "the Host header names the URL's host");
        assertEquals(List.of(), reboundPaths, "never connected to the second answer");
        assertEquals(1, asked.get("avatar.rebind.test").get(), "one look-up per fetch");
        assertNull(puppets.vcard(metadata).getAvatar());
        assertEquals(1, asked.get("metadata.rebind.test").get());
    }

    /**
     * One deadline on the whole avatar fetch (issue 9 item 6): the server sends its headers at once, then one
     * byte every 100 ms (each read well within any per-read timeout). With a 1 s deadline the fetch gives up
     * after about 1 s and the one fetcher thread goes on to the next avatar, instead of holding it for the
     * 100 s the 1,000 bytes take.
     */
    @Test
    void aSlowDripAvatarIsCutOffAtTheFetchDeadline() throws Exception {
        try (SlowDripServer slow = new SlowDripServer("image/png")) {
            String slowBase = slow.base();
            String goodBase = "http://127.0.0.1:" + port + "/trusted/";
            puppets = directory(List.of(slowBase, goodBase), InetAddress::getAllByName, Duration.ofSeconds(1));
            UserRef dripping = person("dripping");
            UserRef next = person("next");
            long start = System.nanoTime();
            puppets.ensure(dripping, avatar(slowBase + "drip.png"));
            puppets.ensure(next, avatar(goodBase + "next.png"));

            awaitAvatar(next, Duration.ofSeconds(6));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertArrayEquals(PNG, puppets.vcard(next).getAvatar(), "the next avatar came within " + millis + " ms");
            assertTrue(millis >= 900 && millis < 3000, "the dripping fetch held the fetcher " + millis + " ms");
            assertNull(puppets.vcard(dripping).getAvatar());
        }
    }

    private PuppetDirectory directory(List<String> prefixes, UrlSafety.Resolver resolver, Duration timeout) {
        return new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"), InMemoryStores.create().puppets(),
                Network.of("xmpp"), Clock.systemUTC(), prefixes, XmppLimits.defaults(), resolver, timeout);
    }

    private void awaitAvatar(UserRef person, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (puppets.vcard(person).getAvatar() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
