package org.bridgeappliance.adapter.matrix.testing;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.adapter.matrix.client.HttpTransport;

/**
 * A scripted stand-in for a homeserver's Client-Server API at the transport level: answers what a
 * well-behaved Synapse answers for the calls the adapter makes (idempotent sends by txn id), records
 * every request, and lets a test override answers per method and path prefix.
 */
public final class FakeHomeserver implements HttpTransport {
    public record Call(String method, String path, String userId, String body) {
    }

    private final String bot;
    public final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Response>> overrides = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final Map<String, String> sent = new ConcurrentHashMap<>();
    private final Map<String, String> accountData = new ConcurrentHashMap<>();
    private volatile boolean down;
    private int rooms;

    public FakeHomeserver(String bot) {
        this.bot = bot;
    }

    /** The next request whose "METHOD path" starts with {@code prefix} gets this answer. */
    public FakeHomeserver override(String prefix, int status, String json) {
        overrides.computeIfAbsent(prefix, p -> new ArrayDeque<>())
                .add(new Response(status, Map.of(), json.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    /** While down, every request fails without a response. */
    public void setDown(boolean down) {
        this.down = down;
    }

    public List<Call> calls(String methodAndPathPrefix) {
        List<Call> out = new ArrayList<>();
        for (Call c : calls) {
            if ((c.method() + " " + c.path()).startsWith(methodAndPathPrefix)) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public synchronized Response execute(Request request) throws IOException {
        if (down) {
            throw new IOException("connection refused");
        }
        String uri = request.pathAndQuery();
        int q = uri.indexOf('?');
        String path = URLDecoder.decode(q < 0 ? uri : uri.substring(0, q), StandardCharsets.UTF_8);
        String userId = null;
        if (q >= 0) {
            for (String param : uri.substring(q + 1).split("&")) {
                if (param.startsWith("user_id=")) {
                    userId = URLDecoder.decode(param.substring(8), StandardCharsets.UTF_8);
                }
            }
        }
        String body = request.body() == null ? "" : new String(request.body(), StandardCharsets.UTF_8);
        calls.add(new Call(request.method(), path, userId, body));
        String key = request.method() + " " + path;
        for (Map.Entry<String, Deque<Response>> e : overrides.entrySet()) {
            if (key.startsWith(e.getKey()) && !e.getValue().isEmpty()) {
                return e.getValue().poll();
            }
        }
        String as = userId == null ? bot : userId;
        if (path.contains("/account_data/")) {
            if (request.method().equals("PUT")) {
                accountData.put(path, body);
                return ok("{}");
            }
            String stored = accountData.get(path);
            return stored == null ? json(404, "{\"errcode\":\"M_NOT_FOUND\"}") : ok(stored);
        }
        if (key.equals("GET /_matrix/client/versions")) {
            return ok("{\"versions\":[\"v1.11\"]}");
        } else if (key.equals("POST /_matrix/client/v3/register")) {
            String localpart = body.replaceAll(".*\"username\":\"([^\"]*)\".*", "$1");
            return registered.add(localpart) ? ok("{\"user_id\":\"@" + localpart + "\"}")
                    : json(400, "{\"errcode\":\"M_USER_IN_USE\",\"error\":\"taken\"}");
        } else if (key.equals("GET /_matrix/client/v3/account/whoami")) {
            return ok("{\"user_id\":\"" + as + "\"}");
        } else if (key.startsWith("POST /_matrix/client/v1/appservice/")) {
            return ok("{\"duration_ms\":3}");
        } else if (key.startsWith("POST /_matrix/client/v3/join/")) {
            return ok("{\"room_id\":\"" + path.substring("/_matrix/client/v3/join/".length()) + "\"}");
        } else if (key.equals("POST /_matrix/client/v3/createRoom")) {
            return ok("{\"room_id\":\"!new" + (++rooms) + ":matrix.test\"}");
        } else if (key.startsWith("PUT /_matrix/client/v3/rooms/") && (path.contains("/send/") || path.contains("/redact/"))) {
            // Idempotent by (user, path), as Synapse's transaction cache is.
            String id = sent.computeIfAbsent(as + " " + path, k -> "$ev" + (sent.size() + 1));
            return ok("{\"event_id\":\"" + id + "\"}");
        } else if (key.startsWith("PUT /_matrix/client/v3/rooms/") && path.contains("/state/")) {
            return ok("{\"event_id\":\"$state" + calls.size() + "\"}");
        } else if (key.startsWith("GET /_matrix/client/v3/rooms/") && path.contains("/state/")) {
            return json(404, "{\"errcode\":\"M_NOT_FOUND\"}");
        } else if (key.startsWith("GET /_matrix/client/v3/rooms/") && path.contains("/event/")) {
            return json(404, "{\"errcode\":\"M_NOT_FOUND\"}");
        } else if (key.startsWith("POST /_matrix/media/v3/upload")) {
            return ok("{\"content_uri\":\"mxc://matrix.test/up" + calls.size() + "\"}");
        }
        return ok("{}");
    }

    private static Response ok(String json) {
        return json(200, json);
    }

    private static Response json(int status, String json) {
        return new Response(status, Map.of("Content-Type", List.of("application/json")),
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
    }
}
