package org.bridgeappliance.it.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.bridgeappliance.it.harness.AdminHttp;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * What the cross-network tests share: fresh Matrix users (display names set), fresh XMPP users, MUCs, room
 * mappings through the admin API (deleted again on {@link #close()}), and the bridge's addressing rules written
 * out independently of the adapters' code (so a change there that breaks the documented addresses fails here):
 *
 * <ul>
 *   <li>ghost of an XMPP user: {@code @_xmpp_<encoded bare JID>:<server>} with the Matrix spec's "mapping from
 *       other character sets" ({@code _} to {@code __}, upper case to {@code _x}, other bytes to {@code =xx});</li>
 *   <li>puppet of a Matrix user: {@code <localpart>%<server>@<component>} with JID escaping;</li>
 *   <li>gateway room of a Matrix alias: {@code #<alias>%<server>@<component>}.</li>
 * </ul>
 *
 * <p>One instance per test; blocking; not thread-safe.
 */
public final class BridgeFixture implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Sandbox sandbox = Sandbox.get();
    public final MatrixTestClient matrix = MatrixTestClient.of(sandbox);
    public final XmppUsers xmpp = new XmppUsers(sandbox);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> mappings = new ArrayList<>();

    public BridgeFixture() {
        sandbox.requireAppliance();
    }

    // ------------------------------------------------------------------ Matrix

    /** A new Matrix user with display name {@code displayName}. */
    public Session newMatrixUser(String prefix, String displayName) {
        Session s = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"), Sandbox.uniqueName(prefix),
            Sandbox.uniqueName("pw"), false);
        ObjectNode body = JSON.createObjectNode().put("displayname", displayName);
        expectOk("set displayname", matrix.call("PUT", "/_matrix/client/v3/profile/" + enc(s.userId()) + "/displayname",
            s.accessToken(), body));
        return s;
    }

    public String bot() {
        return sandbox.get("MATRIX_BOT_USER");
    }

    String serverName() {
        return sandbox.get("MATRIX_SERVER_NAME");
    }

    /** PUT /rooms/{room}/send/{type}/{txn}; returns the event id. */
    String send(Session s, String roomId, String type, JsonNode content) {
        String txn = "bt" + System.nanoTime();
        return expectOk("send " + type, matrix.call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/"
            + enc(type) + "/" + txn, s.accessToken(), content)).path("event_id").asText();
    }

    String redact(Session s, String roomId, String eventId) {
        return expectOk("redact", matrix.call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/redact/"
            + enc(eventId) + "/bt" + System.nanoTime(), s.accessToken(), JSON.createObjectNode()))
            .path("event_id").asText();
    }

    /** POST /_matrix/media/v3/upload; returns the mxc URI. */
    public String upload(Session s, byte[] bytes, String contentType, String fileName) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(sandbox.get("MATRIX_URL") + "/_matrix/media/v3/upload?filename="
                + enc(fileName))).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + s.accessToken())
            .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        HttpResponse<String> answer = sendHttp(r, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new AssertionError("upload -> HTTP " + answer.statusCode() + " " + answer.body());
        }
        try {
            return JSON.readTree(answer.body()).path("content_uri").asText();
        } catch (IOException e) {
            throw new AssertionError(answer.body(), e);
        }
    }

    /** Authenticated media download (/_matrix/client/v1/media/download, Matrix 1.11). */
    byte[] download(Session s, String mxc) {
        String serverAndId = mxc.substring("mxc://".length());
        HttpRequest r = HttpRequest.newBuilder(URI.create(sandbox.get("MATRIX_URL") + "/_matrix/client/v1/media/download/"
                + serverAndId)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + s.accessToken())
            .GET().build();
        HttpResponse<byte[]> answer = sendHttp(r, HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new AssertionError("download " + mxc + " -> HTTP " + answer.statusCode());
        }
        return answer.body();
    }

    private <T> HttpResponse<T> sendHttp(HttpRequest r, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(r, handler);
        } catch (IOException e) {
            throw new AssertionError(r.method() + " " + r.uri().getPath() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static ObjectNode text(String body) {
        return JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    MatrixTestClient.Response call(String method, String path, Session s, JsonNode body) {
        return matrix.call(method, path, s.accessToken(), body);
    }

    static JsonNode expectOk(String what, MatrixTestClient.Response r) {
        if (!r.ok()) {
            throw new AssertionError(what + " -> HTTP " + r.status() + " " + r.body());
        }
        return r.body();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The Matrix ghost of an XMPP user. */
    String ghostOf(EntityBareJid jid) {
        return "@_xmpp_" + matrixEncode(jid.toString().toLowerCase(java.util.Locale.ROOT)) + ":" + serverName();
    }

    /** Matrix spec appendix "Mapping from other character sets". */
    static String matrixEncode(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z') {
                out.append('_').append((char) (c + 32));
            } else if (c == '_') {
                out.append("__");
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                out.append((char) c);
            } else {
                out.append('=').append(String.format("%02x", c));
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ XMPP

    String componentDomain() {
        return sandbox.get("BRIDGE_XMPP_MATRIX_DOMAIN");
    }

    /** The XMPP puppet of a Matrix user (localparts and server names of these tests need no escaping). */
    public EntityBareJid puppetOf(String mxid) {
        int colon = mxid.indexOf(':');
        return jid(mxid.substring(1, colon) + "%" + mxid.substring(colon + 1) + "@" + componentDomain());
    }

    /** The gateway MUC of a Matrix alias {@code #name:server}. */
    EntityBareJid gatewayRoomOf(String alias) {
        int colon = alias.indexOf(':');
        return jid("#" + alias.substring(1, colon) + "%" + alias.substring(colon + 1) + "@" + componentDomain());
    }

    static EntityBareJid jid(String s) {
        try {
            return JidCreate.entityBareFrom(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /**
     * A new MUC on the sandbox's MUC service, created and joined by {@code owner} as {@code nick}: non-anonymous
     * (XEP-0045 muc#roomconfig_whois=anyone, so the bridge sees real JIDs and XMPP users get one ghost each) unless
     * {@code semiAnonymous}.
     */
    MultiUserChat createMuc(XmppUsers.User owner, String nick, boolean semiAnonymous) throws Exception {
        EntityBareJid room = jid(Sandbox.uniqueName("muc") + "@" + sandbox.get("XMPP_MUC_DOMAIN"));
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(owner.connection()).getMultiUserChat(room);
        MultiUserChat.MucCreateConfigFormHandle created = muc.createOrJoin(Resourcepart.from(nick));
        if (created != null) {
            FillableForm form = muc.getConfigurationForm().getFillableForm();
            form.setAnswer("muc#roomconfig_whois", semiAnonymous ? "moderators" : "anyone");
            muc.sendConfigurationForm(form);
        }
        return muc;
    }

    public MultiUserChat createMuc(XmppUsers.User owner, String nick) throws Exception {
        return createMuc(owner, nick, false);
    }

    public static Message groupchat(MultiUserChat muc, String body) {
        return muc.buildMessage().setBody(body).build();
    }

    // ------------------------------------------------------------------ admin API

    /** POST /api/v1/rooms with a Matrix and an XMPP portal; the mapping is deleted on close. Returns its id. */
    String createMapping(String matrixRoomId, EntityBareJid muc) {
        ObjectNode body = JSON.createObjectNode().put("name", "e2e " + muc.getLocalpart()).put("enabled", true);
        body.putArray("portals")
            .add(JSON.createObjectNode().put("network", "matrix").put("room", matrixRoomId))
            .add(JSON.createObjectNode().put("network", "xmpp").put("room", muc.toString()));
        HttpResponse<String> r = admin("POST", "/api/v1/rooms", body.toString());
        if (r.statusCode() != 201) {
            throw new AssertionError("admin API: create mapping -> HTTP " + r.statusCode() + " " + r.body());
        }
        try {
            String id = JSON.readTree(r.body()).path("id").asText();
            mappings.add(id);
            return id;
        } catch (IOException e) {
            throw new AssertionError("admin API answer is not JSON: " + r.body(), e);
        }
    }

    public HttpResponse<String> admin(String method, String path, String json) {
        return AdminHttp.call(http, sandbox, method, path, json);
    }

    /**
     * The usual setup of a mapped room: a Matrix room created by {@code matrixUser} with the bridge bot invited
     * (waits for the bot's join), a MUC created by {@code xmppUser}, the mapping between them, and a wait until the
     * bridge occupies the MUC (an occupant other than the XMPP user appears).
     */
    MappedRoom mappedRoom(Session matrixUser, MatrixWatch watch, XmppUsers.User xmppUser, String nick) throws Exception {
        String roomId = matrix.createRoom(matrixUser, Map.of("preset", "private_chat", "name", "e2e room",
            "invite", List.of(bot())));
        watch.await("the bridge bot joining " + roomId, e -> e.roomId().equals(roomId)
            && "m.room.member".equals(e.type()) && bot().equals(e.event().path("state_key").asText())
            && "join".equals(e.content().path("membership").asText()), WAIT);
        MultiUserChat muc = createMuc(xmppUser, nick);
        String mappingId = createMapping(roomId, muc.getRoom());
        // The XMPP adapter joins mapped MUCs on its periodic room sync (every 10 s).
        awaitCondition("the bridge joining " + muc.getRoom(), () -> muc.getOccupantsCount() >= 2, WAIT);
        return new MappedRoom(roomId, muc, mappingId);
    }

    /**
     * Opens a 1:1 chat the way an XMPP user does: {@code xmppUser} writes to the Matrix user's puppet JID, the Matrix
     * user accepts the DM invite from the XMPP user's ghost and sees the message. Returns the DM's room id.
     */
    String openDm(XmppUsers.User xmppUser, MatrixWatch matrixUser) throws Exception {
        String ghost = ghostOf(xmppUser.jid());
        String hi = "hi " + Sandbox.uniqueName("dm");
        xmppUser.connection().sendStanza(xmppUser.connection().getStanzaFactory().buildMessageStanza()
            .to(puppetOf(matrixUser.session().userId())).ofType(Message.Type.chat).setBody(hi).build());
        MatrixWatch.Seen invite = matrixUser.await("a DM invite from " + ghost, e -> e.kind() == MatrixWatch.Kind.INVITE
            && "m.room.member".equals(e.type()) && matrixUser.session().userId().equals(e.event().path("state_key").asText())
            && ghost.equals(e.sender()), WAIT);
        matrix.join(matrixUser.session(), invite.roomId(), null);
        matrixUser.await("the first DM message", e -> e.roomId().equals(invite.roomId())
            && hi.equals(e.content().path("body").asText()), WAIT);
        return invite.roomId();
    }

    record MappedRoom(String matrixRoomId, MultiUserChat muc, String mappingId) {
    }

    /** How often {@code needle} occurs in {@code haystack} (overlapping occurrences included). */
    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    public static void awaitCondition(String what, BooleanSupplier condition, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(50); // polling interval of a condition with a deadline, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        xmpp.close();
        for (String id : mappings) {
            try {
                admin("DELETE", "/api/v1/rooms/" + id, null);
            } catch (RuntimeException | AssertionError e) {
                System.err.println("[it] could not delete mapping " + id + ": " + e);
            }
        }
    }
}
