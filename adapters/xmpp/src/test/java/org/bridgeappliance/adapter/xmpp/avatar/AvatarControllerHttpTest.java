package org.bridgeappliance.adapter.xmpp.avatar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.XmppAdapterBean;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/**
 * The avatar link through a real Micronaut HTTP server: the escaped JID ({@code @}, {@code ~XX}) routes to
 * {@link AvatarController}, the image comes back with its checked type and the protective headers, and a
 * forged link is a 404. The XMPP side is the scripted component port.
 */
class AvatarControllerHttpTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final byte[] PNG = AvatarFixtures.png(0, 128, 0);

    @Test
    void aPublishedAvatarIsServedOverHttp() throws Exception {
        try (FakeComponentServer xmpp = new FakeComponentServer("secret");
             ApplicationContext ctx = ApplicationContext.run(Map.of("micronaut.server.port", "-1",
                     "bridge.xmpp.enabled", "true", "bridge.xmpp.port", String.valueOf(xmpp.port()),
                     "bridge.xmpp.secret", "secret", "bridge.xmpp.public-base-url", "http://placeholder.invalid"))) {
            EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
            XmppAdapterBean bean = ctx.getBean(XmppAdapterBean.class);
            BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();
            bean.start(new AdapterContext(e -> {
                submitted.add(e);
                return EventIngress.Acceptance.QUEUED;
            }, (n, s) -> { }, InMemoryStores.create(), Clock.systemUTC()));
            try {
                FakeComponentServer.Peer peer = xmpp.awaitPeer(WAIT);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (bean.state().status() != AdapterState.Status.CONNECTED) {
                    assertTrue(System.nanoTime() < deadline, "not connected: " + bean.state());
                    Thread.onSpinWait();
                }
                // A user whose JID needs escaping in a URL path announces an avatar to a puppet (XEP-0153).
                String user = "zoë@xmpp.test";
                peer.send("<presence from='" + user + "/pc' to='bob%matrix.test@matrix.xmpp.test'>"
                        + "<x xmlns='vcard-temp:x:update'><photo>" + AvatarImages.sha1Hex(PNG) + "</photo></x></presence>");
                Matcher iq = peer.readUntil(Pattern.compile("<iq[^>]*id='([^']+)'[^>]*>\\s*<vCard xmlns='vcard-temp'"), WAIT);
                peer.send("<iq type='result' id='" + iq.group(1) + "' from='" + user + "' to='bob%matrix.test@matrix.xmpp.test'>"
                        + "<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>"
                        + Base64.getEncoder().encodeToString(PNG) + "</BINVAL></PHOTO></vCard></iq>");
                URI link = null;
                while (link == null) {
                    BridgeEvent e = submitted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertTrue(e != null, "no presence with the avatar");
                    if (e instanceof PresenceEvent p && p.profile().avatar().isPresent()) {
                        link = p.profile().avatar().get();
                    }
                }
                assertTrue(link.getPath().contains("/zo~C3~AB@xmpp.test/"), link.toString());
                URI local = URI.create("http://127.0.0.1:" + server.getPort() + link.getRawPath());
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<byte[]> ok = http.send(HttpRequest.newBuilder(local).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, ok.statusCode());
                assertArrayEquals(PNG, ok.body());
                assertEquals("image/png", ok.headers().firstValue("content-type").orElse(""));
                assertEquals("nosniff", ok.headers().firstValue("x-content-type-options").orElse(""));
                assertEquals("sandbox; default-src 'none'", ok.headers().firstValue("content-security-policy").orElse(""));
                String forgedPath = link.getRawPath().substring(0, link.getRawPath().lastIndexOf('/') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
                HttpResponse<byte[]> forged = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.getPort() + forgedPath)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(404, forged.statusCode());
            } finally {
                bean.stop();
            }
        }
    }
}
