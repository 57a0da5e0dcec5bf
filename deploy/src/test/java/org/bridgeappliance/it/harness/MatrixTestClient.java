package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A plain-HTTP Matrix Client-Server API client for the integration tests (java.net.http + Jackson), independent of
 * the bridge's own Matrix client classes, so a test checks the bridge against Synapse's behaviour and not against
 * itself.
 *
 * <p>One instance per homeserver URL; {@link Session}s carry each user's access token. All calls block for one
 * HTTP round trip (plus the long-poll time of {@code sync}); safe to use from several threads. Response bodies
 * larger than {@value #MAX_BODY_BYTES} bytes are rejected.
 */
public final class MatrixTestClient {

    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong TXN = new AtomicLong();

    private final String baseUrl;
    private final HttpClient http;

    public MatrixTestClient(String baseUrl) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static MatrixTestClient of(Sandbox sandbox) {
        return new MatrixTestClient(sandbox.get("MATRIX_URL"));
    }

    /** A logged-in user: its id and access token (the token is never printed). */
    public record Session(String userId, String accessToken) {
        @Override
        public String toString() {
            return "Session[" + userId + "]";
        }
    }

    /** An HTTP answer of the homeserver. */
    public record Response(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /** Thrown for an unexpected HTTP status; carries Matrix's errcode. */
    public static final class MatrixException extends RuntimeException {
        private final int status;
        private final String errcode;

        MatrixException(String what, int status, JsonNode body) {
            super(what + " -> HTTP " + status + " " + body);
            this.status = status;
            this.errcode = body.path("errcode").asText("");
        }

        public int status() {
            return status;
        }

        public String errcode() {
            return errcode;
        }
    }

    /** GET /_matrix/client/versions. */
    public JsonNode versions() {
        return expectOk("versions", call("GET", "/_matrix/client/versions", null, null));
    }

    /**
     * Creates a user with Synapse's shared-secret admin API (/_synapse/admin/v1/register: GET a nonce, POST with
     * an HMAC-SHA1 over nonce NUL user NUL password NUL admin|notadmin keyed with registration_shared_secret).
     */
    public Session registerWithSharedSecret(String sharedSecret, String localpart, String password, boolean admin) {
        String nonce = expectOk("register nonce", call("GET", "/_synapse/admin/v1/register", null, null))
            .path("nonce").asText();
        String mac;
        try {
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String flag = admin ? "admin" : "notadmin";
            hmac.update((nonce + "\0" + localpart + "\0" + password + "\0" + flag).getBytes(StandardCharsets.UTF_8));
            mac = HexFormat.of().formatHex(hmac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode body = JSON.createObjectNode().put("nonce", nonce).put("username", localpart)
            .put("password", password).put("admin", admin).put("mac", mac);
        JsonNode r = expectOk("register " + localpart, call("POST", "/_synapse/admin/v1/register", null, body));
        return new Session(r.path("user_id").asText(), r.path("access_token").asText());
    }

    /** POST /_matrix/client/v3/login with m.login.password. */
    public Session login(String localpart, String password) {
        ObjectNode body = JSON.createObjectNode().put("type", "m.login.password").put("password", password);
        body.putObject("identifier").put("type", "m.id.user").put("user", localpart);
        JsonNode r = expectOk("login " + localpart, call("POST", "/_matrix/client/v3/login", null, body));
        return new Session(r.path("user_id").asText(), r.path("access_token").asText());
    }

    /**
     * Registers a user in an application service's namespace (m.login.application_service with the AS token,
     * inhibit_login); "already registered" (M_USER_IN_USE) counts as success.
     */
    public String registerAppServiceUser(String asToken, String localpart) {
        ObjectNode body = JSON.createObjectNode().put("type", "m.login.application_service")
            .put("username", localpart).put("inhibit_login", true);
        Response r = call("POST", "/_matrix/client/v3/register", asToken, body);
        if (!r.ok() && !"M_USER_IN_USE".equals(r.body().path("errcode").asText())) {
            throw new MatrixException("AS register " + localpart, r.status(), r.body());
        }
        return r.body().path("user_id").asText("@" + localpart);
    }

    /** POST /createRoom; returns the room id. */
    public String createRoom(Session s, Map<String, Object> request) {
        JsonNode r = expectOk("createRoom", call("POST", "/_matrix/client/v3/createRoom", s.accessToken(),
            JSON.valueToTree(request)));
        return r.path("room_id").asText();
    }

    public void invite(Session s, String roomId, String userId) {
        expectOk("invite " + userId, call("POST", "/_matrix/client/v3/rooms/" + enc(roomId) + "/invite",
            s.accessToken(), JSON.createObjectNode().put("user_id", userId)));
    }

    /** Joins as {@code s}; with {@code asUserId} non-null, as that AS user (identity assertion, ?user_id=). */
    public void join(Session s, String roomIdOrAlias, String asUserId) {
        expectOk("join " + roomIdOrAlias, call("POST", "/_matrix/client/v3/join/" + enc(roomIdOrAlias)
            + asUser(asUserId), s.accessToken(), JSON.createObjectNode()));
    }

    public void leave(Session s, String roomId, String asUserId) {
        expectOk("leave " + roomId, call("POST", "/_matrix/client/v3/rooms/" + enc(roomId) + "/leave"
            + asUser(asUserId), s.accessToken(), JSON.createObjectNode()));
    }

    /** Sends an m.text message (PUT with a fresh transaction id); returns the event id. */
    public String sendText(Session s, String roomId, String text) {
        ObjectNode content = JSON.createObjectNode().put("msgtype", "m.text").put("body", text);
        String txn = "it" + System.nanoTime() + "-" + TXN.incrementAndGet();
        JsonNode r = expectOk("send", call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId)
            + "/send/m.room.message/" + txn, s.accessToken(), content));
        return r.path("event_id").asText();
    }

    /** One /sync (long-polls up to {@code timeoutMs}); {@code since} may be null for the initial sync. */
    public JsonNode sync(Session s, String since, int timeoutMs) {
        String q = "/_matrix/client/v3/sync?timeout=" + timeoutMs + (since == null ? "" : "&since=" + enc(since));
        return expectOk("sync", call("GET", q, s.accessToken(), null, Duration.ofMillis(timeoutMs + 10_000L)));
    }

    /**
     * Syncs with since-tokens until a timeline event of {@code roomId} matches {@code match}, or fails after
     * {@code timeout}. Starts from {@code since} (null: initial sync, which includes recent history).
     */
    public JsonNode awaitTimelineEvent(Session s, String roomId, String since, Predicate<JsonNode> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String token = since;
        while (Instant.now().isBefore(deadline)) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            JsonNode sync = sync(s, token, (int) Math.max(0, Math.min(5_000, left)));
            for (String section : new String[] {"join", "invite", "leave"}) {
                JsonNode events = sync.path("rooms").path(section).path(roomId).path("timeline").path("events");
                for (JsonNode e : events) {
                    if (match.test(e)) {
                        return e;
                    }
                }
            }
            token = sync.path("next_batch").asText(token);
        }
        throw new AssertionError("no matching event in " + roomId + " for " + s.userId() + " within " + timeout);
    }

    /** The next_batch token of an initial sync: later syncs from it see only new events. */
    public String currentSyncToken(Session s) {
        return sync(s, null, 0).path("next_batch").asText();
    }

    /** A raw call; {@code body} null for GET. The status is returned, not checked. */
    public Response call(String method, String pathAndQuery, String accessToken, JsonNode body) {
        return call(method, pathAndQuery, accessToken, body, Duration.ofSeconds(30));
    }

    private Response call(String method, String pathAndQuery, String accessToken, JsonNode body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(timeout);
        if (accessToken != null) {
            b.header("Authorization", "Bearer " + accessToken);
        }
        try {
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = r.body()) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (bytes.length > MAX_BODY_BYTES) {
                throw new IllegalStateException(method + " " + pathOnly(pathAndQuery) + ": response larger than "
                    + MAX_BODY_BYTES + " bytes");
            }
            JsonNode json = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            return new Response(r.statusCode(), json);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + pathOnly(pathAndQuery) + " at " + baseUrl + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode expectOk(String what, Response r) {
        if (!r.ok()) {
            throw new MatrixException(what, r.status(), r.body());
        }
        return r.body();
    }

    /** The path without the query string (queries may hold since-tokens; never tokens of users). */
    private static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static String asUser(String asUserId) {
        return Optional.ofNullable(asUserId).map(u -> "?user_id=" + enc(u)).orElse("");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
