package org.bridgeappliance.it.sip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.bridgeappliance.it.harness.AdminHttp;
import org.bridgeappliance.it.harness.Sandbox;

/** The appliance's admin API for the SIP tests (HTTP Basic as the sandbox's admin). */
final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Sandbox sandbox;
    private final HttpClient http = HttpClient.newHttpClient();

    AdminApi(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    HttpResponse<String> call(String method, String path, String json) {
        return AdminHttp.call(http, sandbox, method, path, json);
    }

    /** POST /api/v1/rooms; returns the new mapping's id. */
    String createRoom(String json) {
        HttpResponse<String> r = call("POST", "/api/v1/rooms", json);
        if (r.statusCode() != 201) {
            throw new AssertionError("create room mapping -> HTTP " + r.statusCode() + " " + r.body());
        }
        return tree(r.body()).path("id").asText();
    }

    /** GET /api/v1/adapters. */
    JsonNode adapters() {
        HttpResponse<String> r = call("GET", "/api/v1/adapters", null);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /api/v1/adapters -> HTTP " + r.statusCode() + " " + r.body());
        }
        return tree(r.body());
    }

    /** Whether the admin API's room health says the bridge is in {@code network}'s portal of mapping {@code id}. */
    JsonNode bridgeJoined(String id, String network) {
        HttpResponse<String> r = call("GET", "/api/v1/room-health", null);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /api/v1/room-health -> HTTP " + r.statusCode() + " " + r.body());
        }
        for (JsonNode room : tree(r.body()).path("rooms")) {
            if (id.equals(room.path("id").asText())) {
                for (JsonNode portal : room.path("portals")) {
                    if (network.equals(portal.path("network").asText())) {
                        return portal.path("joined");
                    }
                }
            }
        }
        throw new AssertionError("no " + network + " portal of mapping " + id + " in " + r.body());
    }

    /** The metrics whose names start with {@code prefix}. */
    Map<String, Long> metrics(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        adapters().path("metrics").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey(), e.getValue().asLong());
            }
        });
        return out;
    }

    /** The status the admin API reports for {@code network}'s adapter. */
    String status(String network) {
        for (JsonNode a : adapters().path("adapters")) {
            if (network.equals(a.path("network").asText())) {
                return a.path("status").asText();
            }
        }
        return "absent";
    }

    private static JsonNode tree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
