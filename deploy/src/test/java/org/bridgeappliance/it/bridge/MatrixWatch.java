package org.bridgeappliance.it.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;

/**
 * One Matrix user's view of the homeserver through incremental /sync: every event seen is kept (so several
 * waits in a row never lose an event that arrived in an earlier batch), grouped by room and kind.
 *
 * <p>Not thread-safe: one test thread drives it. {@link #await} long-polls /sync (at most 2 s per call) until a
 * matching event is seen or the deadline passes.
 */
final class MatrixWatch {

    /** What part of a room's sync section an event came from. */
    enum Kind { TIMELINE, STATE, EPHEMERAL, INVITE, PRESENCE }

    /** One event as /sync delivered it. */
    record Seen(String roomId, Kind kind, JsonNode event, Instant seenAt) {
        String type() {
            return event.path("type").asText();
        }

        String sender() {
            return event.path("sender").asText();
        }

        JsonNode content() {
            return event.path("content");
        }
    }

    private final MatrixTestClient client;
    private final Session session;
    private final List<Seen> seen = new ArrayList<>();
    private String since;

    /** Starts from "now": an initial sync whose events are kept too (a room's recent history). */
    MatrixWatch(MatrixTestClient client, Session session) {
        this.client = client;
        this.session = session;
        JsonNode first = sync(null, 0);
        collect(first);
        this.since = first.path("next_batch").asText();
    }

    Session session() {
        return session;
    }

    /**
     * GET /sync with a filter raising the timeline limit (Synapse's default of 10 events per room and sync would
     * report a gap instead of a burst of bridged messages).
     */
    private JsonNode sync(String from, int timeoutMs) {
        String q = "/_matrix/client/v3/sync?timeout=" + timeoutMs + "&filter=" + BridgeFixture.enc(FILTER)
            + (from == null ? "" : "&since=" + BridgeFixture.enc(from));
        MatrixTestClient.Response r = client.call("GET", q, session.accessToken(), null);
        if (!r.ok()) {
            throw new AssertionError("sync of " + session.userId() + " -> HTTP " + r.status() + " " + r.body());
        }
        return r.body();
    }

    private static final String FILTER = "{\"room\":{\"timeline\":{\"limit\":500}}}";

    /** Events seen so far (a copy). */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** One /sync round (long-polling up to {@code timeoutMs}); returns the number of new events. */
    int poll(int timeoutMs) {
        JsonNode sync = sync(since, timeoutMs);
        int before = seen.size();
        collect(sync);
        since = sync.path("next_batch").asText(since);
        return seen.size() - before;
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
                throw new AssertionError("Matrix user " + session.userId() + " did not see " + what + " within "
                    + timeout + "; last events: " + tail(15));
            }
            poll((int) Math.min(2_000, left));
        }
    }

    /** Everything matching {@code match} seen until {@code quiet} passes without new events (bounded by max). */
    List<Seen> collectUntilQuiet(Predicate<Seen> match, Duration quiet, Duration max) {
        Instant end = Instant.now().plus(max);
        Instant quietEnd = Instant.now().plus(quiet);
        while (Instant.now().isBefore(end) && Instant.now().isBefore(quietEnd)) {
            long left = Math.min(Duration.between(Instant.now(), quietEnd).toMillis(),
                Duration.between(Instant.now(), end).toMillis());
            if (poll((int) Math.max(0, Math.min(1_000, left))) > 0) {
                quietEnd = Instant.now().plus(quiet);
            }
        }
        return seen.stream().filter(match).toList();
    }

    String tail(int n) {
        StringBuilder b = new StringBuilder();
        for (Seen s : seen.subList(Math.max(0, seen.size() - n), seen.size())) {
            b.append("\n  ").append(s.kind()).append(' ').append(s.roomId()).append(' ').append(s.event());
        }
        return b.toString();
    }

    private void collect(JsonNode sync) {
        Instant now = Instant.now();
        JsonNode rooms = sync.path("rooms");
        for (String section : new String[] {"join", "leave"}) {
            for (Iterator<Map.Entry<String, JsonNode>> it = rooms.path(section).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> room = it.next();
                for (JsonNode e : room.getValue().path("state").path("events")) {
                    seen.add(new Seen(room.getKey(), Kind.STATE, e, now));
                }
                for (JsonNode e : room.getValue().path("timeline").path("events")) {
                    seen.add(new Seen(room.getKey(), Kind.TIMELINE, e, now));
                }
                for (JsonNode e : room.getValue().path("ephemeral").path("events")) {
                    seen.add(new Seen(room.getKey(), Kind.EPHEMERAL, e, now));
                }
            }
        }
        for (JsonNode e : sync.path("presence").path("events")) {
            seen.add(new Seen("", Kind.PRESENCE, e, now));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = rooms.path("invite").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> room = it.next();
            for (JsonNode e : room.getValue().path("invite_state").path("events")) {
                seen.add(new Seen(room.getKey(), Kind.INVITE, e, now));
            }
        }
    }
}
