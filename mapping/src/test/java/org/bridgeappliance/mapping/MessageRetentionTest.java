package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.ReactionMapping;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MessageRetentionTest {
    private static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");
    private static final UserRef BOB = UserRef.of("matrix", "@bob:example.org");
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Instant OLD = NOW.minus(Duration.ofDays(400));
    private static final Instant CUTOFF = NOW.minus(Duration.ofDays(365));

    private MappingDatabase db;
    private BridgeStores stores;
    private org.bridgeappliance.core.store.BridgedRoom room;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        stores = db.stores();
        room = stores.rooms().create("lobby", List.of(MUC, MATRIX), true);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A message from alice in the MUC (stanza-id sid-*, her own id as an alias) copied to Matrix, with bob's reaction. */
    private void message(String id, Instant at) {
        BridgeMessageId m = BridgeMessageId.of(id);
        stores.messages().record(List.of(
                new MessageMapping(m, room.id(), MUC, ALICE, RemoteMessageId.of("sid-" + id), 0, true, at),
                new MessageMapping(m, room.id(), MATRIX, ALICE, RemoteMessageId.of("$" + id), 0, false,
                        at.plusSeconds(1))));
        stores.aliases().alias(MUC, ALICE, RemoteMessageId.of("own-" + id), RemoteMessageId.of("sid-" + id));
        stores.reactions().record(new ReactionMapping(m, MATRIX, BOB, "👍", RemoteMessageId.of("$r-" + id)));
        stores.archive().append(ArchivedMessage.of(m, room.id(), ALICE, "alice", at, MessageKind.TEXT,
                MessageBody.plain("text of " + id)));
    }

    @Test
    void oldMessagesAreForgottenEverywhereAndRecentOnesKept() {
        message("old1", OLD);
        message("old2", OLD.plusSeconds(60));
        message("new1", NOW.minus(Duration.ofDays(1)));

        MessageRetention.Forgotten forgotten = db.forgetMessagesOlderThan(CUTOFF);

        assertEquals(new MessageRetention.Forgotten(2, 4, 2, 2, 2), forgotten);
        for (String id : List.of("old1", "old2")) {
            assertEquals(List.of(), stores.messages().copies(BridgeMessageId.of(id)), id);
            assertEquals(Optional.empty(), stores.aliases().resolve(MUC, ALICE, RemoteMessageId.of("own-" + id)), id);
            assertEquals(Optional.empty(), stores.reactions().find(BridgeMessageId.of(id), MATRIX, BOB, "👍"), id);
        }
        assertEquals(2, stores.messages().copies(BridgeMessageId.of("new1")).size());
        assertEquals(Optional.of(RemoteMessageId.of("sid-new1")),
                stores.aliases().resolve(MUC, ALICE, RemoteMessageId.of("own-new1")));
        assertTrue(stores.reactions().find(BridgeMessageId.of("new1"), MATRIX, BOB, "👍").isPresent());
        assertEquals(List.of("new1"), stores.archive().query(ArchiveQuery.newest(room.id(), 10)).stream()
                .map(a -> a.id().value()).toList());

        assertTrue(db.forgetMessagesOlderThan(CUTOFF).isEmpty(), "a second run finds nothing");
    }

    @Test
    void manyOldMessagesAreForgottenInBatches() {
        int count = MessageRetention.BATCH * 2 + 7;
        for (int i = 0; i < count; i++) {
            stores.messages().record(List.of(new MessageMapping(BridgeMessageId.of("m" + i), room.id(), MATRIX, BOB,
                    RemoteMessageId.of("$e" + i), 0, true, OLD.plusSeconds(i))));
        }
        assertEquals(count, db.forgetMessagesOlderThan(CUTOFF).messages());
        assertEquals(List.of(), stores.messages().copies(BridgeMessageId.of("m0")));
        assertEquals(List.of(), stores.messages().copies(BridgeMessageId.of("m" + (count - 1))));
    }
}
