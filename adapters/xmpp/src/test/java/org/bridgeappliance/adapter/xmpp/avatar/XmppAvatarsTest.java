package org.bridgeappliance.adapter.xmpp.avatar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.ext.XmppExtensions;
import org.bridgeappliance.core.id.UserRef;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.impl.JidCreate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Learning (XEP-0153 + XEP-0054), the negative cache, publishing and serving, against a scripted IQ peer. */
class XmppAvatarsTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final UserRef AVA = UserRef.of("xmpp", "room@conference.xmpp.test/Ava");
    static final byte[] RED = AvatarFixtures.png(255, 0, 0);
    static final byte[] BLUE = AvatarFixtures.png(0, 0, 255);
    static final String RED_SHA1 = AvatarImages.sha1Hex(RED);
    static final String BLUE_SHA1 = AvatarImages.sha1Hex(BLUE);
    static final AvatarLinks LINKS = new AvatarLinks("http://127.0.0.1:18480", "secret");

    record Request(VCard iq, CompletableFuture<IQ> answer) {
        void reply(byte[] photo) {
            IQ result = AvatarFixtures.parse(AvatarFixtures.vcardResult(iq.getStanzaId(), iq.getTo().toString(),
                    iq.getFrom().toString(), photo, "image/png"));
            answer.complete(result);
        }
    }

    /** The IQ peer: every vCard request waits in {@link #requests} until the test answers it. */
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final StanzaSender sender = new StanzaSender() {
        @Override
        public void send(Stanza stanza) throws ComponentConnection.NotConnectedException {
            throw new AssertionError("only IQ round trips expected");
        }

        @Override
        public CompletableFuture<IQ> request(IQ iq, Duration timeout) {
            CompletableFuture<IQ> answer = new CompletableFuture<>();
            requests.add(new Request((VCard) iq, answer));
            return answer;
        }

        @Override
        public boolean isConnected() {
            return true;
        }
    };
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    final BlockingQueue<URI> announced = new LinkedBlockingQueue<>();
    final XmppAvatars.Route route = new XmppAvatars.Route(JidCreate.fromOrThrowUnchecked("matrix.xmpp.test/muc-listener"),
            JidCreate.fromOrThrowUnchecked("room@conference.xmpp.test/Ava"));
    XmppAvatars avatars = avatars(XmppAvatars.CACHE_BYTES);

    @BeforeAll
    static void providers() {
        XmppExtensions.register();
    }

    XmppAvatars avatars(long cacheBytes) {
        XmppAvatars a = new XmppAvatars(Optional.of(LINKS), sender, clock, Duration.ofMinutes(10), WAIT, cacheBytes,
                p -> Optional.of(route), "xmpp");
        a.setListener((person, link) -> {
            assertEquals(AVA, person);
            announced.add(link);
        });
        return a;
    }

    @AfterEach
    void close() {
        avatars.close();
    }

    Request nextRequest() throws InterruptedException {
        Request r = requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(r, "no vCard request sent");
        return r;
    }

    void awaitFinished(long count) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (avatars.fetchesFinished() < count) {
            assertTrue(System.nanoTime() < deadline, "fetch did not finish");
            Thread.onSpinWait();
        }
    }

    static String[] parts(URI link) {
        return link.getPath().substring(AvatarLinks.PATH.length()).split("/");
    }

    @Test
    void anAnnouncedHashIsFetchedOnceThenPublishedAndAnnounced() throws Exception {
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        Request r = nextRequest();
        assertEquals(IQ.Type.get, r.iq().getType());
        assertEquals("matrix.xmpp.test/muc-listener", r.iq().getFrom().toString());
        assertEquals("room@conference.xmpp.test/Ava", r.iq().getTo().toString());
        assertTrue(r.iq().toXML().toString().contains("<vCard xmlns='vcard-temp'"), r.iq().toXML().toString());
        r.reply(RED);
        URI link = announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(LINKS.link(AVA.user().value(), RED_SHA1), link);
        assertEquals(Optional.of(link), avatars.profile(AVA, "Ava").avatar());
        assertEquals(Optional.of("Ava"), avatars.profile(AVA, "Ava").displayName());
        // The same hash again (every presence carries it): nothing to fetch.
        long before = avatars.fetchesStarted();
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        avatars.seen(AVA, route);
        assertEquals(before, avatars.fetchesStarted());
        // Served from the cache, with no round trip.
        String[] p = parts(link);
        var served = assertInstanceOf(XmppAvatars.Served.Found.class, avatars.serve(p[0], p[1], p[2]));
        assertEquals("image/png", served.image().mimeType());
        assertTrue(requests.isEmpty());
    }

    @Test
    void aChangedAvatarIsAnnouncedUnderANewLinkAndAnEmptyPhotoDropsIt() throws Exception {
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        nextRequest().reply(RED);
        URI red = announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        avatars.observe(AVA, PhotoHint.hash(BLUE_SHA1), route);
        nextRequest().reply(BLUE);
        URI blue = announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(blue);
        assertTrue(blue.getPath().contains(BLUE_SHA1) && !blue.equals(red), blue.toString());
        // XEP-0153 empty photo: no avatar any more. Later events carry none (the model cannot remove one).
        long before = avatars.fetchesStarted();
        avatars.observe(AVA, PhotoHint.NONE, route);
        assertEquals(Optional.empty(), avatars.profile(AVA, "Ava").avatar());
        avatars.seen(AVA, route);
        assertEquals(before, avatars.fetchesStarted(), "'no avatar' was said: no first-sight fetch either");
    }

    @Test
    void firstSightWithoutAHashFetchesOnceThenTheNegativeCacheHolds() throws Exception {
        avatars.seen(AVA, route);
        nextRequest().reply(null); // a vCard without PHOTO
        awaitFinished(1);
        assertEquals(Optional.empty(), avatars.profile(AVA, "Ava").avatar());
        for (int i = 0; i < 5; i++) {
            avatars.seen(AVA, route); // every message of hers
            avatars.observe(AVA, PhotoHint.UNKNOWN, route);
        }
        assertEquals(1, avatars.fetchesStarted(), "not asked again within the TTL");
        now.set(now.get().plus(Duration.ofMinutes(11)));
        avatars.seen(AVA, route);
        assertEquals(2, avatars.fetchesStarted(), "asked again once the TTL passed");
        nextRequest().reply(RED);
        assertNotNull(announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aHashWhoseFetchFailedIsNotRetriedWithinTheTtlButANewHashIs() throws Exception {
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        Request r = nextRequest();
        r.answer().complete(IQ.createErrorResponse(r.iq(), org.jivesoftware.smack.packet.StanzaError
                .getBuilder(org.jivesoftware.smack.packet.StanzaError.Condition.forbidden).build()));
        awaitFinished(1);
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        assertEquals(1, avatars.fetchesStarted());
        avatars.observe(AVA, PhotoHint.hash(BLUE_SHA1), route);
        assertEquals(2, avatars.fetchesStarted());
        nextRequest().reply(BLUE);
        assertTrue(announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).getPath().contains(BLUE_SHA1));
    }

    @Test
    void refusedPhotosAreNotPublished() throws Exception {
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        nextRequest().reply("<svg onload='alert(1)'/>".getBytes(StandardCharsets.UTF_8));
        awaitFinished(1);
        assertEquals(Optional.empty(), avatars.profile(AVA, "Ava").avatar());
        assertTrue(announced.isEmpty());
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        assertEquals(1, avatars.fetchesStarted(), "announced hash already tried: negative-cached");
    }

    @Test
    void aCacheMissIsServedByFetchingAgainOnlyIfTheHashStillMatches() throws Exception {
        avatars.close();
        avatars = avatars(0); // nothing fits: every serve is a miss (as after a restart)
        URI link = LINKS.link(AVA.user().value(), RED_SHA1);
        String[] p = parts(link);

        // The person changed their avatar since the link was made: 404, not the new picture under the old link.
        CompletableFuture<XmppAvatars.Served> mismatch = CompletableFuture.supplyAsync(() -> avatars.serve(p[0], p[1], p[2]));
        Request r = nextRequest();
        assertEquals("room@conference.xmpp.test/Ava", r.iq().getTo().toString(), "the default route");
        r.reply(BLUE);
        assertInstanceOf(XmppAvatars.Served.NotFound.class, mismatch.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        CompletableFuture<XmppAvatars.Served> match = CompletableFuture.supplyAsync(() -> avatars.serve(p[0], p[1], p[2]));
        nextRequest().reply(RED);
        var found = assertInstanceOf(XmppAvatars.Served.Found.class, match.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(RED_SHA1, found.image().sha1());

        // A forged link never causes a round trip.
        assertInstanceOf(XmppAvatars.Served.NotFound.class, avatars.serve(p[0], p[1], "forged"));
        assertInstanceOf(XmppAvatars.Served.NotFound.class,
                avatars.serve(AvatarLinks.escape("eve@xmpp.test"), p[1], p[2]));
        assertTrue(requests.isEmpty());
    }

    @Test
    void theCacheIsBoundedByTotalBytes() throws Exception {
        avatars.close();
        avatars = avatars(RED.length + BLUE.length - 1); // room for one of the two
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        nextRequest().reply(RED);
        announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        avatars.observe(AVA, PhotoHint.hash(BLUE_SHA1), route);
        nextRequest().reply(BLUE);
        announced.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(BLUE.length, avatars.cachedBytes(), "the older image was evicted");
    }

    @Test
    void withoutAPublicBaseUrlNothingIsFetchedOrPublished() {
        avatars.close();
        avatars = new XmppAvatars(Optional.empty(), sender, clock, Duration.ofMinutes(10), WAIT, 1024,
                p -> Optional.of(route), "xmpp");
        avatars.observe(AVA, PhotoHint.hash(RED_SHA1), route);
        avatars.seen(AVA, route);
        assertEquals(0, avatars.fetchesStarted());
        assertEquals(Optional.empty(), avatars.profile(AVA, "Ava").avatar());
        assertInstanceOf(XmppAvatars.Served.Unavailable.class, avatars.serve("a", RED_SHA1, "b"));
    }
}
