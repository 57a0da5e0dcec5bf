package org.bridgeappliance.adapter.matrix.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed Matrix Client-Server API client for an application service (there is no maintained Java
 * Matrix SDK). Every call authenticates with the {@code as_token} and, when {@code asUser} is given,
 * masquerades as that user through the {@code user_id} query parameter (AS API "Identity
 * assertion"); without it the call acts as the registration's sender (the bot).
 *
 * <p>Retries: a 429 is always retried after its {@code retry_after_ms} (the request was not
 * executed); 5xx, 408 and "no response" are retried with exponential backoff and jitter only for
 * idempotent calls (PUTs with a client transaction id, GETs, joins), never for {@code createRoom}
 * or {@code register}, which would then happen twice. After {@code maxAttempts}, or when the server
 * asks for a longer wait than {@code maxRetryWait}, a {@link MatrixHttpException} carries the status
 * and the requested wait back to the caller.
 *
 * <p>Thread-safe; blocking (call it from worker threads, never from an event loop).
 */
public final class MatrixClient {
    private static final Logger LOG = LoggerFactory.getLogger(MatrixClient.class);
    private static final String CS = "/_matrix/client/v3";

    /** Waits between retries; tests replace it to run without real waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final HttpTransport transport;
    private final String asToken;
    private final int maxAttempts;
    private final Duration maxRetryWait;
    private final Sleeper sleeper;
    private volatile Consumer<Boolean> reachability = reachable -> { };

    public MatrixClient(HttpTransport transport, String asToken, int maxAttempts, Duration maxRetryWait,
                        Sleeper sleeper) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.asToken = Objects.requireNonNull(asToken, "asToken");
        this.maxAttempts = Math.max(1, maxAttempts);
        this.maxRetryWait = Objects.requireNonNull(maxRetryWait, "maxRetryWait");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Called with true after each answered request, and false after each unanswered one or one the
     * homeserver refused as unauthenticated (401).
     */
    public void onReachability(Consumer<Boolean> listener) {
        this.reachability = Objects.requireNonNull(listener, "listener");
    }

    // ---- server and application service ------------------------------------------------------

    /** {@code GET /_matrix/client/versions}: the spec versions the server supports. */
    public List<String> versions() {
        JsonNode response = json("GET", "/_matrix/client/versions", Map.of(), null, null, true);
        return stream(response.path("versions")).map(JsonNode::asText).toList();
    }

    /** {@code GET /account/whoami} as {@code asUser} (or the bot): the MXID the token acts as. */
    public String whoami(String asUser) {
        return json("GET", CS + "/account/whoami", Map.of(), null, asUser, true).path("user_id").asText();
    }

    /**
     * {@code POST /_matrix/client/v1/appservice/{id}/ping} (spec v1.7): asks the homeserver to call
     * the AS's own {@code /ping}. Returns the round trip the server measured.
     */
    public Duration ping(String appserviceId, String transactionId) {
        ObjectNode body = Json.object().put("transaction_id", transactionId);
        JsonNode response = json("POST", "/_matrix/client/v1/appservice/" + seg(appserviceId) + "/ping", Map.of(),
                body, null, false);
        return Duration.ofMillis(response.path("duration_ms").asLong());
    }

    // ---- users -------------------------------------------------------------------------------

    /**
     * Registers a user in the AS namespace ({@code m.login.application_service}, no login).
     *
     * @return true if created, false if it already existed ({@code M_USER_IN_USE} is success)
     */
    public boolean register(String localpart) {
        ObjectNode body = Json.object().put("type", "m.login.application_service").put("username", localpart)
                .put("inhibit_login", true);
        try {
            json("POST", CS + "/register", Map.of(), body, null, false);
            return true;
        } catch (MatrixHttpException e) {
            if ("M_USER_IN_USE".equals(e.errcode())) {
                return false;
            }
            throw e;
        }
    }

    public void setDisplayName(String userId, String displayName) {
        json("PUT", CS + "/profile/" + seg(userId) + "/displayname", Map.of(),
                Json.object().put("displayname", displayName), userId, true);
    }

    public void setAvatarUrl(String userId, String mxc) {
        json("PUT", CS + "/profile/" + seg(userId) + "/avatar_url", Map.of(),
                Json.object().put("avatar_url", mxc), userId, true);
    }

    /** The global profile of a user ({@code displayname}, {@code avatar_url}), empty object if unknown. */
    public JsonNode profile(String userId) {
        try {
            return json("GET", CS + "/profile/" + seg(userId), Map.of(), null, null, true);
        } catch (MatrixHttpException e) {
            if (e.status() == 404) {
                return Json.object();
            }
            throw e;
        }
    }

    /** {@code PUT /presence/{userId}/status} (m.presence: online, unavailable, offline). */
    public void setPresence(String userId, String presence, Optional<String> statusMsg) {
        ObjectNode body = Json.object().put("presence", presence);
        statusMsg.ifPresent(s -> body.put("status_msg", s));
        json("PUT", CS + "/presence/" + seg(userId) + "/status", Map.of(), body, userId, true);
    }

    /** A user's global account data of one type (e.g. {@code m.direct}), or empty if unset. */
    public Optional<JsonNode> accountData(String userId, String type) {
        try {
            return Optional.of(json("GET", CS + "/user/" + seg(userId) + "/account_data/" + seg(type), Map.of(), null,
                    userId, true));
        } catch (MatrixHttpException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public void setAccountData(String userId, String type, JsonNode content) {
        json("PUT", CS + "/user/" + seg(userId) + "/account_data/" + seg(type), Map.of(), content, userId, true);
    }

    // ---- rooms -------------------------------------------------------------------------------

    /** {@code POST /createRoom} as {@code asUser}; not retried on ambiguous failures. Returns the room id. */
    public String createRoom(String asUser, ObjectNode request) {
        return json("POST", CS + "/createRoom", Map.of(), request, asUser, false).path("room_id").asText();
    }

    /** Joins a room by id or alias; returns the room id. Joining twice is harmless. */
    public String join(String roomIdOrAlias, String asUser) {
        return json("POST", CS + "/join/" + seg(roomIdOrAlias), Map.of(), Json.object(), asUser, true)
                .path("room_id").asText();
    }

    public void invite(String roomId, String userId, String asUser) {
        json("POST", CS + "/rooms/" + seg(roomId) + "/invite", Map.of(), Json.object().put("user_id", userId),
                asUser, true);
    }

    public void leave(String roomId, String asUser) {
        json("POST", CS + "/rooms/" + seg(roomId) + "/leave", Map.of(), Json.object(), asUser, true);
    }

    public void kick(String roomId, String userId, Optional<String> reason, String asUser) {
        membershipChange("kick", roomId, userId, reason, asUser);
    }

    public void ban(String roomId, String userId, Optional<String> reason, String asUser) {
        membershipChange("ban", roomId, userId, reason, asUser);
    }

    public void unban(String roomId, String userId, String asUser) {
        membershipChange("unban", roomId, userId, Optional.empty(), asUser);
    }

    private void membershipChange(String action, String roomId, String userId, Optional<String> reason,
                                  String asUser) {
        ObjectNode body = Json.object().put("user_id", userId);
        reason.ifPresent(r -> body.put("reason", r));
        json("POST", CS + "/rooms/" + seg(roomId) + "/" + action, Map.of(), body, asUser, true);
    }

    /** The room id an alias points to, or empty if the alias does not exist. */
    public Optional<String> resolveAlias(String alias) {
        try {
            return Optional.of(json("GET", CS + "/directory/room/" + seg(alias), Map.of(), null, null, true)
                    .path("room_id").asText());
        } catch (MatrixHttpException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The rooms {@code asUser} has joined ({@code GET /joined_rooms}). */
    public List<String> joinedRooms(String asUser) {
        return stream(json("GET", CS + "/joined_rooms", Map.of(), null, asUser, true).path("joined_rooms"))
                .map(JsonNode::asText).toList();
    }

    /**
     * One page of the homeserver's public room directory ({@code POST /publicRooms}) whose names, topics or aliases
     * contain {@code searchTerm} (all rooms when blank); the {@code chunk} array of the answer.
     */
    public JsonNode publicRooms(String searchTerm, int limit) {
        ObjectNode body = Json.object().put("limit", limit);
        if (!searchTerm.isBlank()) {
            body.putObject("filter").put("generic_search_term", searchTerm);
        }
        return json("POST", CS + "/publicRooms", Map.of(), body, null, true).path("chunk");
    }

    /** Who is joined to a room, as {@code joined} of {@code GET /rooms/{roomId}/joined_members}. */
    public JsonNode joinedMembers(String roomId, String asUser) {
        return json("GET", CS + "/rooms/" + seg(roomId) + "/joined_members", Map.of(), null, asUser, true)
                .path("joined");
    }

    /** One state event's content, or empty if the room has none of that type and key. */
    public Optional<JsonNode> state(String roomId, String type, String stateKey, String asUser) {
        try {
            return Optional.of(json("GET", CS + "/rooms/" + seg(roomId) + "/state/" + seg(type) + "/" + seg(stateKey),
                    Map.of(), null, asUser, true));
        } catch (MatrixHttpException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sets a state event; returns its event id. State PUTs are idempotent. */
    public String sendState(String roomId, String type, String stateKey, JsonNode content, String asUser) {
        return json("PUT", CS + "/rooms/" + seg(roomId) + "/state/" + seg(type) + "/" + seg(stateKey), Map.of(),
                content, asUser, true).path("event_id").asText();
    }

    /** One event of a room, as {@code asUser} sees it. */
    public JsonNode event(String roomId, String eventId, String asUser) {
        return json("GET", CS + "/rooms/" + seg(roomId) + "/event/" + seg(eventId), Map.of(), null, asUser, true);
    }

    // ---- messages ----------------------------------------------------------------------------

    /**
     * Sends a message event with a client transaction id: retried sends with the same id are
     * de-duplicated by the homeserver. Returns the event id.
     */
    public String send(String roomId, String type, String txnId, JsonNode content, String asUser) {
        return json("PUT", CS + "/rooms/" + seg(roomId) + "/send/" + seg(type) + "/" + seg(txnId), Map.of(), content,
                asUser, true).path("event_id").asText();
    }

    /** Redacts an event (idempotent through {@code txnId}); returns the redaction's event id. */
    public String redact(String roomId, String eventId, String txnId, Optional<String> reason, String asUser) {
        ObjectNode body = Json.object();
        reason.ifPresent(r -> body.put("reason", r));
        return json("PUT", CS + "/rooms/" + seg(roomId) + "/redact/" + seg(eventId) + "/" + seg(txnId), Map.of(),
                body, asUser, true).path("event_id").asText();
    }

    public void typing(String roomId, String userId, boolean typing, Duration timeout) {
        ObjectNode body = Json.object().put("typing", typing);
        if (typing) {
            body.put("timeout", timeout.toMillis());
        }
        json("PUT", CS + "/rooms/" + seg(roomId) + "/typing/" + seg(userId), Map.of(), body, userId, true);
    }

    /** Sends an {@code m.read} receipt for {@code eventId} as {@code userId}. */
    public void receipt(String roomId, String eventId, String userId) {
        json("POST", CS + "/rooms/" + seg(roomId) + "/receipt/m.read/" + seg(eventId), Map.of(), Json.object(),
                userId, true);
    }

    // ---- media -------------------------------------------------------------------------------

    /** Uploads to the media repository as {@code asUser}; returns the {@code mxc://} URI. */
    public String upload(byte[] content, String contentType, Optional<String> fileName, String asUser) {
        Map<String, String> query = new LinkedHashMap<>();
        fileName.ifPresent(f -> query.put("filename", f));
        HttpTransport.Response response = exchange("POST", "/_matrix/media/v3/upload", query, content,
                contentType == null ? "application/octet-stream" : contentType, asUser, false);
        return parse(response).path("content_uri").asText();
    }

    /** Downloaded media: bytes and the content type the server reported. */
    public record Media(byte[] content, String contentType) {
    }

    /**
     * Downloads {@code mxc://server/mediaId} through the authenticated media API
     * ({@code /_matrix/client/v1/media/download}, spec v1.11, MSC3916), falling back to the legacy
     * unauthenticated endpoint only when the server does not know the new one.
     */
    public Media download(String mxc) {
        String[] parts = parseMxc(mxc);
        String path = "/" + seg(parts[0]) + "/" + seg(parts[1]);
        HttpTransport.Response response;
        try {
            response = exchange("GET", "/_matrix/client/v1/media/download" + path, Map.of(), null, null, null, true);
        } catch (MatrixHttpException e) {
            if (e.status() == 404 && "M_UNRECOGNIZED".equals(e.errcode())) {
                response = exchange("GET", "/_matrix/media/v3/download" + path, Map.of(), null, null, null, true);
            } else {
                throw e;
            }
        }
        return new Media(response.body(), response.header("Content-Type").orElse("application/octet-stream"));
    }

    /** Media being downloaded: read {@code body} as it arrives and close it. */
    public record MediaStream(java.io.InputStream body, String contentType, long contentLength)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * {@link #download}, streamed: returns once the homeserver sent its headers, with the body still to be read
     * (the caller closes it), so that a large file never sits in memory whole. One attempt, no retries (the
     * downloader, another network's client, retries).
     *
     * @param maxBytes the body fails with an {@link IOException} beyond this many bytes
     * @throws MatrixHttpException on an error status or no response
     */
    public MediaStream openDownload(String mxc, long maxBytes) {
        String[] parts = parseMxc(mxc);
        String media = "/" + seg(parts[0]) + "/" + seg(parts[1]);
        String path = "/_matrix/client/v1/media/download" + media;
        HttpTransport.StreamedResponse response = openGet(path);
        if (response.status() == 404) {
            MatrixHttpException e = streamedError(path, response);
            if (!"M_UNRECOGNIZED".equals(e.errcode())) {
                throw e;
            }
            path = "/_matrix/media/v3/download" + media;
            response = openGet(path);
        }
        if (response.status() < 200 || response.status() >= 300) {
            throw streamedError(path, response);
        }
        long length = response.header("Content-Length").flatMap(MatrixClient::number).orElse(-1L);
        return new MediaStream(new BoundedInputStream(response.body(), maxBytes),
                response.header("Content-Type").orElse("application/octet-stream"), length);
    }

    private HttpTransport.StreamedResponse openGet(String path) {
        HttpTransport.Request request = new HttpTransport.Request("GET", path,
                Map.of("Authorization", "Bearer " + asToken), null, null);
        try {
            HttpTransport.StreamedResponse response = transport.open(request);
            reachability.accept(response.status() != 401);
            return response;
        } catch (IOException e) {
            reachability.accept(false);
            throw new MatrixHttpException(0, "", "GET " + path + ": no response (" + e.getMessage() + ")", null, e);
        }
    }

    /** The error of a streamed response, read from at most 64 KiB of its body; closes it. */
    private static MatrixHttpException streamedError(String path, HttpTransport.StreamedResponse response) {
        byte[] body;
        try (response) {
            body = response.body().readNBytes(65_536);
        } catch (IOException e) {
            body = new byte[0];
        }
        return error("GET", path, new HttpTransport.Response(response.status(), response.headers(), body));
    }

    private static Optional<Long> number(String value) {
        try {
            return Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Fails a read beyond {@code max} bytes instead of passing on more than the limit. */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private final long max;
        private long count;

        BoundedInputStream(java.io.InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > max) {
                throw new IOException("media larger than " + max + " bytes");
            }
        }
    }

    /** Splits {@code mxc://server/mediaId}. */
    public static String[] parseMxc(String mxc) {
        if (mxc == null || !mxc.startsWith("mxc://")) {
            throw new IllegalArgumentException("not an mxc URI: " + mxc);
        }
        String rest = mxc.substring("mxc://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not an mxc URI: " + mxc);
        }
        String server = rest.substring(0, slash);
        String mediaId = rest.substring(slash + 1);
        if (!mediaId.matches("[A-Za-z0-9_-]+") || !server.matches("[A-Za-z0-9.:\\[\\]-]+")) {
            throw new IllegalArgumentException("not an mxc URI: " + mxc);
        }
        return new String[] {server, mediaId};
    }

    // ---- plumbing ----------------------------------------------------------------------------

    private JsonNode json(String method, String path, Map<String, String> query, JsonNode body, String asUser,
                          boolean idempotent) {
        HttpTransport.Response response = exchange(method, path, query, body == null ? null : Json.bytes(body),
                body == null ? null : "application/json", asUser, idempotent);
        return parse(response);
    }

    private static JsonNode parse(HttpTransport.Response response) {
        if (response.body().length == 0) {
            return Json.object();
        }
        try {
            return Json.parse(response.body());
        } catch (Json.MalformedJsonException e) {
            throw new MatrixHttpException(response.status(), "", "homeserver sent malformed JSON: " + e.getMessage(),
                    null, e);
        }
    }

    private HttpTransport.Response exchange(String method, String path, Map<String, String> query, byte[] body,
                                            String contentType, String asUser, boolean idempotent) {
        Map<String, String> fullQuery = new LinkedHashMap<>(query);
        if (asUser != null) {
            fullQuery.put("user_id", asUser);
        }
        StringBuilder uri = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, String> e : fullQuery.entrySet()) {
            uri.append(separator).append(seg(e.getKey())).append('=').append(seg(e.getValue()));
            separator = '&';
        }
        HttpTransport.Request request = new HttpTransport.Request(method, uri.toString(),
                Map.of("Authorization", "Bearer " + asToken), body, contentType);
        MatrixHttpException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            HttpTransport.Response response;
            try {
                response = transport.execute(request);
            } catch (JdkHttpTransport.ResponseTooLargeException e) {
                reachability.accept(true);
                throw new MatrixHttpException(413, "M_TOO_LARGE", method + " " + path + ": " + e.getMessage(), null, e);
            } catch (IOException e) {
                reachability.accept(false);
                last = new MatrixHttpException(0, "", method + " " + path + ": no response (" + e.getMessage() + ")",
                        null, e);
                if (!idempotent || !backoff(attempt, null, last)) {
                    throw last;
                }
                continue;
            }
            // A 401 means the homeserver no longer accepts the as_token (registration removed): as
            // unusable as no answer at all.
            reachability.accept(response.status() != 401);
            if (response.status() >= 200 && response.status() < 300) {
                return response;
            }
            last = error(method, path, response);
            boolean retryable = response.status() == 429
                    || (idempotent && last.isTransient() && response.status() != 401);
            if (!retryable || !backoff(attempt, last.retryAfter().orElse(null), last)) {
                throw last;
            }
        }
        throw last;
    }

    /** Waits before the next attempt; false if there is none (attempts used up or wait too long). */
    private boolean backoff(int attempt, Duration requested, MatrixHttpException failure) {
        if (attempt >= maxAttempts) {
            return false;
        }
        Duration wait;
        if (requested != null) {
            if (requested.compareTo(maxRetryWait) > 0) {
                return false; // the caller re-queues with the server's wait instead of blocking here
            }
            wait = requested;
        } else {
            long base = 250L << Math.min(attempt - 1, 10);
            wait = Duration.ofMillis(Math.min(maxRetryWait.toMillis(),
                    base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1)));
        }
        LOG.debug("retrying after {} ms: {}", wait.toMillis(), failure.getMessage());
        try {
            sleeper.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static MatrixHttpException error(String method, String path, HttpTransport.Response response) {
        String errcode = "";
        String error = "";
        Duration retryAfter = null;
        try {
            JsonNode body = Json.parse(response.body());
            errcode = body.path("errcode").asText("");
            error = body.path("error").asText("");
            if (body.hasNonNull("retry_after_ms")) {
                retryAfter = Duration.ofMillis(Math.max(0, body.path("retry_after_ms").asLong()));
            }
        } catch (Json.MalformedJsonException e) {
            // not a Matrix error body (a proxy's HTML page): keep the status only
        }
        if (retryAfter == null && response.status() == 429) {
            retryAfter = response.header("Retry-After").flatMap(MatrixClient::seconds).orElse(null);
        }
        String message = method + " " + stripQuery(path) + " -> " + response.status()
                + (errcode.isEmpty() ? "" : " " + errcode) + (error.isEmpty() ? "" : ": " + truncate(error));
        return new MatrixHttpException(response.status(), errcode, message, retryAfter, null);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        java.util.List<JsonNode> list = new java.util.ArrayList<>();
        array.forEach(list::add);
        return list.stream();
    }

    /** Percent-encodes one path segment or query value (RFC 3986 unreserved characters stay). */
    public static String seg(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    @Override
    public String toString() {
        return "MatrixClient[" + transport + "]";
    }
}
