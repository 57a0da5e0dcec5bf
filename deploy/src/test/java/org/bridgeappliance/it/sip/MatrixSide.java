package org.bridgeappliance.it.sip;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;

/**
 * One Matrix user of the SIP tests, through plain Client-Server calls ({@link MatrixTestClient}): every timeline
 * and invite event /sync delivers is kept, so consecutive waits never lose one. One test thread drives it.
 */
final class MatrixSide {
    /** An event with the room it arrived in; {@code invite} for stripped invite state. */
    record Seen(String roomId, boolean invite, JsonNode event) {
        String type() {
            return event.path("type").asText();
        }

        String sender() {
            return event.path("sender").asText();
        }

        String body() {
            return event.path("content").path("body").asText();
        }
    }

    final MatrixTestClient client;
    final Session session;
    private final List<Seen> seen = new ArrayList<>();
    private String since;

    MatrixSide(Sandbox sandbox, String prefix, String displayName) {
        this.client = MatrixTestClient.of(sandbox);
        this.session = client.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"),
            Sandbox.uniqueName(prefix), Sandbox.uniqueName("pw"), false);
        var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("displayname", displayName);
        MatrixTestClient.Response r = client.call("PUT", "/_matrix/client/v3/profile/" + enc(session.userId())
            + "/displayname", session.accessToken(), body);
        if (!r.ok()) {
            throw new AssertionError("displayname -> " + r.status() + " " + r.body());
        }
        this.since = client.sync(session, null, 0).path("next_batch").asText();
    }

    String userId() {
        return session.userId();
    }

    String localpart() {
        return userId().substring(1, userId().indexOf(':'));
    }

    /** This user's puppet on the SIP side: {@code sip:<localpart>*<server name>@matrix.<BRIDGE_SIP_DOMAIN>}. */
    String sipPuppet(Sandbox sandbox) {
        return "sip:" + localpart() + "*" + sandbox.get("MATRIX_SERVER_NAME") + "@matrix." + sandbox.get("BRIDGE_SIP_DOMAIN");
    }

    /** Opens a DM with a SIP person's ghost and waits until the bridge made the ghost join; returns the room. */
    String openDmWith(String ghost, Duration timeout) {
        String roomId = createRoom(Map.of("preset", "trusted_private_chat", "is_direct", true,
            "invite", List.of(ghost)));
        await("the ghost joining", e -> roomId.equals(e.roomId()) && "m.room.member".equals(e.type())
            && ghost.equals(e.event().path("state_key").asText())
            && "join".equals(e.event().path("content").path("membership").asText()), timeout);
        return roomId;
    }

    String createRoom(Map<String, Object> request) {
        return client.createRoom(session, request);
    }

    void join(String roomId) {
        client.join(session, roomId, null);
    }

    String send(String roomId, String text) {
        return client.sendText(session, roomId, text);
    }

    /** The first event (seen before or later) matching {@code match}; fails after {@code timeout}. */
    Seen await(String what, Predicate<Seen> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int checked = 0;
        while (true) {
            for (; checked < seen.size(); checked++) {
                if (match.test(seen.get(checked))) {
                    return seen.get(checked);
                }
            }
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                throw new AssertionError(userId() + " did not see " + what + " within " + timeout + "; last: "
                    + seen.subList(Math.max(0, seen.size() - 10), seen.size()));
            }
            poll((int) Math.min(2_000, left));
        }
    }

    /** Every matching event seen so far. */
    List<Seen> all(Predicate<Seen> match) {
        return seen.stream().filter(match).toList();
    }

    private void poll(int timeoutMs) {
        JsonNode sync = client.sync(session, since, timeoutMs);
        sync.path("rooms").path("join").fields().forEachRemaining(room -> {
            for (JsonNode e : room.getValue().path("timeline").path("events")) {
                seen.add(new Seen(room.getKey(), false, e));
            }
        });
        sync.path("rooms").path("invite").fields().forEachRemaining(room -> {
            for (JsonNode e : room.getValue().path("invite_state").path("events")) {
                seen.add(new Seen(room.getKey(), true, e));
            }
        });
        // m.presence of users who share a room with this user (roomId null)
        for (JsonNode e : sync.path("presence").path("events")) {
            seen.add(new Seen(null, false, e));
        }
        since = sync.path("next_batch").asText(since);
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The Matrix ghost of a SIP person {@code user@host} (Matrix spec appendix encoding, prefix {@code _sip_}). */
    static String ghostOf(String sipPerson, String serverName) {
        StringBuilder out = new StringBuilder("@_sip_");
        for (byte b : sipPerson.getBytes(StandardCharsets.UTF_8)) {
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
        return out.append(':').append(serverName).toString();
    }
}
