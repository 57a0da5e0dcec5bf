package org.bridgeappliance.mapping;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Forgets messages older than a cutoff, so that the database does not grow without bound: their rows in the
 * message-id map (every copy on every network, found by any row older than the cutoff), their reactions, the
 * aliases of their remote ids and their archive entries. After that, an edit, reply, reaction or retraction of
 * such an old message is treated like one of a message the bridge never saw (the capability fallbacks apply),
 * and history/MAM no longer list it.
 *
 * <p>Works in batches of {@link #BATCH} messages, one transaction each, so that a large first clean-up does not
 * hold one huge transaction or block the bridge's writes for long. Thread-safe; blocking.
 */
public final class MessageRetention {
    static final int BATCH = 500;

    /** How many messages, and rows of each kind, were forgotten. */
    public record Forgotten(int messages, int mapRows, int reactions, int aliases, int archived) {
        public boolean isEmpty() {
            return messages == 0 && archived == 0;
        }
    }

    private record RemoteKey(String network, String room, String remoteId) {
    }

    private final Jdbc jdbc;
    private final org.bridgeappliance.core.store.MessageArchive archive;

    MessageRetention(Jdbc jdbc, org.bridgeappliance.core.store.MessageArchive archive) {
        this.jdbc = jdbc;
        this.archive = archive;
    }

    Forgotten forgetOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        int messages = 0;
        int mapRows = 0;
        int reactions = 0;
        int aliases = 0;
        while (true) {
            int[] batch = jdbc.inTransaction("forget old messages", c -> {
                List<String> ids = Jdbc.query(c, "SELECT DISTINCT message_id FROM message_map WHERE sent_at < ?"
                        + " FETCH FIRST " + BATCH + " ROWS ONLY", s -> Jdbc.setInstant(s, 1, cutoff),
                        r -> r.getString("message_id"));
                if (ids.isEmpty()) {
                    return new int[] {0, 0, 0, 0};
                }
                String in = "(" + String.join(", ", java.util.Collections.nCopies(ids.size(), "?")) + ")";
                Jdbc.Binder bindIds = s -> {
                    for (int i = 0; i < ids.size(); i++) {
                        s.setString(i + 1, ids.get(i));
                    }
                };
                // Aliases name the remote id of a copy (XEP-0359 stanza-ids), not the canonical id: find those first.
                List<RemoteKey> remote = Jdbc.query(c, "SELECT network, remote_room, remote_id FROM message_map"
                        + " WHERE message_id IN " + in, bindIds,
                        r -> new RemoteKey(r.getString("network"), r.getString("remote_room"), r.getString("remote_id")));
                int aliasRows = 0;
                for (RemoteKey k : new ArrayList<>(new java.util.LinkedHashSet<>(remote))) {
                    aliasRows += Jdbc.update(c, "DELETE FROM message_alias WHERE network = ? AND remote_room = ?"
                            + " AND canonical_id = ?", s -> {
                                s.setString(1, k.network());
                                s.setString(2, k.room());
                                s.setString(3, k.remoteId());
                            });
                }
                int reactionRows = Jdbc.update(c, "DELETE FROM reaction WHERE message_id IN " + in, bindIds);
                int rows = Jdbc.update(c, "DELETE FROM message_map WHERE message_id IN " + in, bindIds);
                return new int[] {ids.size(), rows, reactionRows, aliasRows};
            });
            messages += batch[0];
            mapRows += batch[1];
            reactions += batch[2];
            aliases += batch[3];
            if (batch[0] < BATCH) {
                break;
            }
        }
        int archived = archive.forgetOlderThan(cutoff);
        return new Forgotten(messages, mapRows, reactions, aliases, archived);
    }
}
