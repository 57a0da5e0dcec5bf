package org.bridgeappliance.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Issue 9, the Matrix side, through the running appliance with real Synapse and Prosody: attacks that travel
 * over the network, each followed by proof that the appliance still bridges.
 *
 * <ul>
 *   <li>A caller without the hs_token pushes a transaction announcing a 12 MB body: refused with 403 while
 *       the body is still arriving (it is never buffered); Synapse's AS ping still reaches the appliance.</li>
 *   <li>An XMPP user posts an attachment whose server drips its body a byte at a time: the appliance gives
 *       up at its fetch deadline ({@code bridge.matrix.media-fetch-timeout}, 30 s by default) and the room's
 *       next message still reaches Matrix.</li>
 * </ul>
 */
class MatrixSideAttacksIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The sandbox runs with the default media-fetch-timeout. */
    private static final Duration FETCH_DEADLINE = Duration.ofSeconds(30);

    private final Sandbox sandbox = Sandbox.get();
    private final MatrixTestClient matrix = MatrixTestClient.of(sandbox);
    private final XmppUsers xmpp = new XmppUsers(sandbox);

    @AfterEach
    void tearDown() {
        xmpp.close();
    }

    @Test
    void aTransactionWithoutTheHsTokenIsRefusedBeforeItsHugeBodyIsRead() throws Exception {
        sandbox.requireAppliance();
        URI appliance = URI.create(sandbox.get("ADMIN_URL"));
        long started = System.nanoTime();
        try (Socket socket = new Socket(appliance.getHost(), appliance.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /_matrix/app/v1/transactions/" + Sandbox.uniqueName("huge") + " HTTP/1.1\r\n"
                    + "Host: " + appliance.getAuthority() + "\r\nAuthorization: Bearer not-the-hs-token\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 12000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]); // of 12,000,000: the rest never comes
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 403"), "status line: " + status);
        }
        Duration refusedAfter = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("wrong-token 12 MB transaction: 403 after %d ms, 64 KiB of the body sent%n",
                refusedAfter.toMillis());
        assertTrue(refusedAfter.compareTo(Duration.ofSeconds(10)) < 0);

        // The homeserver, with the real token, still reaches the appliance (CS API v1.7 appservice ping).
        MatrixTestClient.Response ping = matrix.call("POST", "/_matrix/client/v1/appservice/bridge-appliance/ping",
                sandbox.get("MATRIX_AS_TOKEN"), JsonNodeFactory.instance.objectNode()
                        .put("transaction_id", Sandbox.uniqueName("ping")));
        assertTrue(ping.ok(), "Synapse's ping of the appliance: " + ping);
    }

    @Test
    void aSlowDripAttachmentIsCutOffAtTheDeadlineAndTheRoomKeepsFlowing() throws Exception {
        sandbox.requireAppliance();
        XmppUsers.User alice = xmpp.registerAndLogin("alice");
        EntityBareJid room = JidCreate.entityBareFrom(Sandbox.uniqueName("drip") + "@" + sandbox.get("XMPP_MUC_DOMAIN"));
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(room);
        MultiUserChat.MucCreateConfigFormHandle created = muc.createOrJoin(Resourcepart.from("alice"));
        if (created != null) {
            created.makeInstant();
        }
        BlockingQueue<Message> inMuc = new LinkedBlockingQueue<>();
        muc.addMessageListener(inMuc::add);

        // A Matrix user opens the MUC through its gateway alias; her message in the MUC shows the bridge is in.
        Session carol = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"),
                Sandbox.uniqueName("carol"), Sandbox.uniqueName("pw"), false);
        String alias = "#_xmpp_" + room.toString().replace("_", "__").replace("@", "=40") + ":"
                + sandbox.get("MATRIX_SERVER_NAME");
        MatrixTestClient.Response join = matrix.call("POST", "/_matrix/client/v3/join/" + enc(alias),
                carol.accessToken(), JsonNodeFactory.instance.objectNode());
        assertTrue(join.ok(), "joining " + alias + ": " + join);
        String roomId = join.body().path("room_id").asText();
        String hello = "hello " + Sandbox.uniqueName("m");
        matrix.sendText(carol, roomId, hello);
        awaitInMuc(inMuc, hello);

        try (SlowDrip drip = new SlowDrip()) {
            String since = matrix.currentSyncToken(carol);
            String url = "http://127.0.0.1:" + drip.port() + "/" + Sandbox.uniqueName("slow") + ".png";
            alice.connection().sendStanza(muc.buildMessage().setBody(url)
                    .addExtension(StandardExtensionElement.builder("x", "jabber:x:oob")
                            .addElement("url", url).build()).build());
            long acceptedAt = drip.accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            String after = "after the slow attachment " + Sandbox.uniqueName("m");
            muc.sendMessage(after);

            long closedAt = drip.closed.get(FETCH_DEADLINE.plusSeconds(30).toSeconds(), TimeUnit.SECONDS);
            Duration held = Duration.ofNanos(closedAt - acceptedAt);
            System.out.printf("slow-drip attachment: the appliance hung up after %d ms (deadline %d ms)%n",
                    held.toMillis(), FETCH_DEADLINE.toMillis());
            assertTrue(held.compareTo(FETCH_DEADLINE.minusSeconds(10)) > 0
                    && held.compareTo(FETCH_DEADLINE.plusSeconds(10)) < 0,
                    "the fetch held the dripping connection for " + held.toMillis() + " ms, not about the deadline");
            matrix.awaitTimelineEvent(carol, roomId, since,
                    e -> after.equals(e.path("content").path("body").asText()), WAIT.plus(FETCH_DEADLINE));
        }
    }

    private static void awaitInMuc(BlockingQueue<Message> inMuc, String body) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Message m = inMuc.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (m != null && body.equals(m.getBody())) {
                return;
            }
        }
        org.junit.jupiter.api.Assertions.fail("the MUC never got " + body);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * An HTTP server on loopback that answers one request with headers at once and then one body byte every
     * 200 ms of a declared megabyte (each read is quick; only a deadline on the whole fetch ends it). Records
     * when it accepted the connection and when the client hung up ({@link System#nanoTime()}).
     */
    private static final class SlowDrip implements AutoCloseable {
        final CompletableFuture<Long> accepted = new CompletableFuture<>();
        final CompletableFuture<Long> closed = new CompletableFuture<>();
        private final ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        private final ScheduledExecutorService pace = Executors.newScheduledThreadPool(3);

        SlowDrip() throws IOException {
            pace.execute(this::serve);
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            try {
                Socket socket = server.accept();
                accepted.complete(System.nanoTime());
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    // the request head
                }
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1000000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                pace.scheduleAtFixedRate(() -> {
                    try {
                        out.write(0x42);
                        out.flush();
                    } catch (IOException e) {
                        closed.complete(System.nanoTime());
                        throw new java.io.UncheckedIOException(e); // ends the schedule
                    }
                }, 200, 200, TimeUnit.MILLISECONDS);
                // A hang-up also shows as end of input, often before a write fails.
                pace.execute(() -> {
                    try {
                        while (socket.getInputStream().read() >= 0) {
                            // nothing more is expected from the client
                        }
                    } catch (IOException e) {
                        // reset: hung up as well
                    }
                    closed.complete(System.nanoTime());
                });
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        }

        @Override
        public void close() throws IOException {
            pace.shutdownNow();
            server.close();
        }
    }
}
