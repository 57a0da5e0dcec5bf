package org.bridgeappliance.adapter.matrix.portal;

import org.bridgeappliance.adapter.matrix.id.StandInAddressing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.PuppetStore;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ghost avatars from other networks: applied globally also for room events (names are not), uploaded once per
 * distinct URI, unchanged URIs cost nothing, failed fetches back off per URI, and the listener hears every
 * global change of a known ghost (so that per-room names can be put back).
 */
class GhostManagerTest {
    static final UserRef BOB = UserRef.of("xmpp", "bob@xmpp.test");
    static final String BOB_GHOST = "@_xmpp_bob=40xmpp.test:matrix.test";

    /** A clock the test moves by hand (the failure backoff). */
    static final class MutableClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-26T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    record Change(String ghost, String name, Optional<String> avatar) {
    }

    final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
    final GhostIdCodec codec = new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp", "sip"), StandInAddressing.INSTANCE);
    final MatrixClient client = new MatrixClient(homeserver, "as", 1, Duration.ofSeconds(1), d -> { });
    final PuppetStore puppets = InMemoryStores.create().puppets();
    final MutableClock clock = new MutableClock();
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final Map<String, byte[]> images = new ConcurrentHashMap<>();
    final List<Change> changes = new CopyOnWriteArrayList<>();
    HttpServer server;
    String base;
    GhostManager ghosts;

    @BeforeEach
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/_bridge/xmpp/avatar/", x -> {
            String path = x.getRequestURI().getRawPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body = images.get(path);
            if (body == null) {
                x.sendResponseHeaders(404, -1);
            } else {
                x.getResponseHeaders().add("Content-Type", "image/png");
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            }
            x.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        // The appliance's own avatar links are the trusted prefix; loopback stays refused otherwise.
        MediaFetcher media = new MediaFetcher(client, 100_000, Duration.ofSeconds(5), false,
                List.of(base + "/_bridge/xmpp/avatar/"));
        ghosts = new GhostManager(client, codec, puppets, media, clock);
        ghosts.onGlobalProfileChange((ghost, name, avatar) -> changes.add(new Change(ghost, name, avatar)));
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private URI avatar(String sha1) {
        String path = "/_bridge/xmpp/avatar/bob@xmpp.test/" + sha1 + "/sig-" + sha1;
        images.putIfAbsent(path, ("png " + sha1).getBytes());
        return URI.create(base + path);
    }

    private int fetches(URI uri) {
        AtomicInteger n = hits.get(uri.getRawPath());
        return n == null ? 0 : n.get();
    }

    private List<FakeHomeserver.Call> avatarPuts() {
        return homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/avatar_url");
    }

    private Optional<URI> storedAvatar() {
        return puppets.find(BOB, GhostManager.MATRIX).orElseThrow().profile().avatar();
    }

    @Test
    void aRoomEventsAvatarIsAppliedGloballyButItsNickIsNot() {
        ghosts.ensure(BOB, Profile.named("Bob"));
        URI a = avatar("aaa");
        assertEquals(BOB_GHOST, ghosts.ensureForRoom(BOB, new Profile(Optional.of("bobby in the MUC"), Optional.of(a))));

        assertEquals(1, homeserver.calls("POST /_matrix/media/v3/upload").size());
        assertEquals(1, avatarPuts().size());
        String mxc = avatarPuts().get(0).body().replaceAll(".*\"avatar_url\":\"([^\"]*)\".*", "$1");
        assertTrue(mxc.startsWith("mxc://matrix.test/"), mxc);
        assertEquals(1, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/displayname").size(),
                "the nick did not become the global name");
        assertEquals(Optional.of("Bob"), ghosts.globalName(BOB));
        assertEquals(Optional.of(a), storedAvatar());
        assertEquals(Optional.of(mxc), ghosts.knownAvatar(BOB_GHOST));
        assertEquals(List.of(new Change(BOB_GHOST, "Bob", Optional.of(mxc))), changes);
    }

    @Test
    void anUnchangedAvatarCostsNothingAndEachDistinctUriIsUploadedOnce() {
        ghosts.ensure(BOB, Profile.named("Bob"));
        URI a = avatar("aaa");
        URI b = avatar("bbb");
        for (int i = 0; i < 3; i++) {
            ghosts.ensureForRoom(BOB, new Profile(Optional.of("bobby"), Optional.of(a)));
        }
        assertEquals(1, fetches(a));
        assertEquals(1, avatarPuts().size());
        assertEquals(1, changes.size());

        ghosts.ensureForRoom(BOB, new Profile(Optional.empty(), Optional.of(b))); // a new image: a new URI
        ghosts.ensureForRoom(BOB, new Profile(Optional.empty(), Optional.of(a))); // and back
        assertEquals(1, fetches(a), "A was not fetched again");
        assertEquals(1, fetches(b));
        assertEquals(2, homeserver.calls("POST /_matrix/media/v3/upload").size());
        assertEquals(3, avatarPuts().size());
        assertEquals(avatarPuts().get(0).body(), avatarPuts().get(2).body(), "A's first upload is reused");
        assertEquals(Optional.of(a), storedAvatar());
        assertEquals(3, changes.size());

        // an event without an avatar keeps the one shown
        ghosts.ensureForRoom(BOB, Profile.named("bobby"));
        assertEquals(3, avatarPuts().size());
        assertEquals(Optional.of(a), storedAvatar());
    }

    @Test
    void aFailedFetchIsRetriedOnALaterEventAfterABackoffNotOnEveryEvent() {
        ghosts.ensure(BOB, Profile.named("Bob"));
        URI broken = URI.create(base + "/_bridge/xmpp/avatar/bob@xmpp.test/ccc/sig");
        Profile withBroken = new Profile(Optional.of("bobby"), Optional.of(broken));
        for (int i = 0; i < 5; i++) {
            assertEquals(BOB_GHOST, ghosts.ensureForRoom(BOB, withBroken), "the event is still bridged");
        }
        assertEquals(1, fetches(broken), "one try, then the backoff");
        assertEquals(Optional.empty(), storedAvatar(), "not recorded as shown: tried again later");
        assertEquals(List.of(), changes);

        clock.advance(GhostManager.FIRST_BACKOFF);
        ghosts.ensureForRoom(BOB, withBroken);
        assertEquals(2, fetches(broken));
        clock.advance(GhostManager.FIRST_BACKOFF); // the second wait is twice as long
        ghosts.ensureForRoom(BOB, withBroken);
        assertEquals(2, fetches(broken));

        images.put(broken.getRawPath(), "png ccc".getBytes()); // the link works again
        clock.advance(GhostManager.FIRST_BACKOFF);
        ghosts.ensureForRoom(BOB, withBroken);
        assertEquals(3, fetches(broken));
        assertEquals(Optional.of(broken), storedAvatar());
        assertEquals(1, avatarPuts().size());

        // another URI is not held back by this one's failures
        URI d = avatar("ddd");
        ghosts.ensureForRoom(BOB, new Profile(Optional.empty(), Optional.of(d)));
        assertEquals(1, fetches(d));
    }

    @Test
    void anAvatarOutsideTheTrustedPrefixOnLoopbackIsRefusedAndTheEventStillGoesThrough() {
        ghosts.ensure(BOB, Profile.named("Bob"));
        URI internal = URI.create(base + "/admin/secret.png");
        assertEquals(BOB_GHOST, ghosts.ensureForRoom(BOB, new Profile(Optional.empty(), Optional.of(internal))));
        assertEquals(0, hits.values().stream().mapToInt(AtomicInteger::get).sum(), "nothing was requested");
        assertEquals(List.of(), avatarPuts());
    }

    @Test
    void aBrandNewGhostGetsNameAndAvatarWithoutAChangeNotice() {
        URI a = avatar("aaa");
        ghosts.ensureForRoom(BOB, new Profile(Optional.of("bobby"), Optional.of(a)));
        assertEquals(Optional.of("bobby"), ghosts.globalName(BOB), "a first name is better than none");
        assertEquals(1, avatarPuts().size());
        assertEquals(List.of(), changes, "a new ghost has no per-room names to restore");
    }

    @Test
    void aGhostTheHomeserverLostGetsItsAvatarBackWithoutAnotherUpload() {
        URI a = avatar("aaa");
        ghosts.ensure(BOB, new Profile(Optional.of("Bob"), Optional.of(a)));
        homeserver.override("POST /_matrix/client/v3/register", 200, "{\"user_id\":\"" + BOB_GHOST + "\"}");
        ghosts.forget(BOB_GHOST); // e.g. M_FORBIDDEN on send: the homeserver's database was reset
        ghosts.ensureForRoom(BOB, Profile.EMPTY);
        assertEquals(2, avatarPuts().size());
        assertEquals(avatarPuts().get(0).body(), avatarPuts().get(1).body());
        assertEquals(1, fetches(a));
        assertEquals(2, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/displayname").size());
    }

    @Test
    void concurrentEventsWithTheSameNewAvatarFetchAndUploadItOnce() throws Exception {
        ghosts.ensure(BOB, Profile.named("Bob"));
        java.util.concurrent.CountDownLatch inFetch = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.createContext("/_bridge/xmpp/avatar/slow/", x -> {
            hits.computeIfAbsent(x.getRequestURI().getRawPath(), p -> new AtomicInteger()).incrementAndGet();
            inFetch.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, 3);
            x.getResponseBody().write(new byte[] {1, 2, 3});
            x.close();
        });
        URI slow = URI.create(base + "/_bridge/xmpp/avatar/slow/face");
        Profile p = new Profile(Optional.empty(), Optional.of(slow));
        Thread first = new Thread(() -> ghosts.ensureForRoom(BOB, p));
        Thread second = new Thread(() -> ghosts.ensureForRoom(BOB, p));
        first.start();
        assertTrue(inFetch.await(10, java.util.concurrent.TimeUnit.SECONDS));
        second.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (second.getState() != Thread.State.BLOCKED) { // waits for the first one's fetch
            assertTrue(System.nanoTime() < deadline, "second call not waiting: " + second.getState());
            Thread.onSpinWait();
        }
        release.countDown();
        first.join(10_000);
        second.join(10_000);
        assertEquals(1, fetches(slow));
        assertEquals(1, homeserver.calls("POST /_matrix/media/v3/upload").size());
        assertEquals(1, avatarPuts().size());
    }

    @Test
    void logsKeepNoSignature() {
        assertEquals("http://127.0.0.1:18480/_bridge/xmpp/avatar/bob@xmpp.test/abc/…",
                GhostManager.forLog(URI.create("http://u:p@127.0.0.1:18480/_bridge/xmpp/avatar/bob@xmpp.test/abc/SIG?x=1")));
    }
}
