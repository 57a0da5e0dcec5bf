package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.ReactionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReactionStoreTest {
    private static final BridgeMessageId MSG = BridgeMessageId.of("m1");
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");
    private static final UserRef BOB = UserRef.of("matrix", "@bob:example.org");

    private MappingDatabase db;
    private ReactionStore reactions;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        reactions = db.stores().reactions();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static ReactionMapping reaction(Portal portal, UserRef reactor, String key, String remoteId) {
        return new ReactionMapping(MSG, portal, reactor, key, RemoteMessageId.of(remoteId));
    }

    @Test
    void recordFindAndReplace() {
        ReactionMapping thumbs = reaction(MATRIX, ALICE, "\uD83D\uDC4D", "$r1");
        reactions.record(thumbs);
        assertEquals(Optional.of(thumbs), reactions.find(MSG, MATRIX, ALICE, "\uD83D\uDC4D"));

        ReactionMapping again = reaction(MATRIX, ALICE, "\uD83D\uDC4D", "$r2");
        reactions.record(again);

        assertEquals(Optional.of(again), reactions.find(MSG, MATRIX, ALICE, "\uD83D\uDC4D"), "remote id replaced");
        assertEquals(List.of(again), reactions.byReactor(MSG, MATRIX, ALICE), "still one row");
    }

    @Test
    void byReactorIsScopedByMessagePortalAndReactor() {
        ReactionMapping a1 = reaction(MATRIX, ALICE, "a", "$1");
        ReactionMapping a2 = reaction(MATRIX, ALICE, "b", "$2");
        reactions.record(a1);
        reactions.record(a2);
        reactions.record(reaction(MATRIX, BOB, "a", "$3"));
        reactions.record(reaction(MUC, ALICE, "a", "stanza-1"));
        reactions.record(new ReactionMapping(BridgeMessageId.of("m2"), MATRIX, ALICE, "a", RemoteMessageId.of("$4")));

        assertEquals(List.of(a1, a2), reactions.byReactor(MSG, MATRIX, ALICE));
    }

    @Test
    void removeDeletesOnlyThatReaction() {
        reactions.record(reaction(MATRIX, ALICE, "a", "$1"));
        reactions.record(reaction(MATRIX, ALICE, "b", "$2"));

        assertTrue(reactions.remove(MSG, MATRIX, ALICE, "a"));
        assertFalse(reactions.remove(MSG, MATRIX, ALICE, "a"), "nothing left to remove");
        assertFalse(reactions.remove(MSG, MATRIX, BOB, "b"), "not Bob's");

        assertEquals(Optional.empty(), reactions.find(MSG, MATRIX, ALICE, "a"));
        assertEquals(List.of(reaction(MATRIX, ALICE, "b", "$2")), reactions.byReactor(MSG, MATRIX, ALICE));
    }

    @Test
    void overlongKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> reactions.record(reaction(MATRIX, ALICE, "x".repeat(257), "$1")));
    }

    @Test
    void findByRemoteIdIsScopedByPortal() {
        ReactionMapping bob = reaction(MATRIX, BOB, "\uD83D\uDC4D", "$r1");
        reactions.record(bob);
        reactions.record(reaction(MUC, ALICE, "\uD83D\uDC4D", "$r1"));
        reactions.record(reaction(MATRIX, ALICE, "x", "$r2"));

        assertEquals(Optional.of(bob), reactions.findByRemoteId(MATRIX, RemoteMessageId.of("$r1")));
        assertEquals(Optional.empty(), reactions.findByRemoteId(Portal.of("matrix", "!other:example.org"),
                RemoteMessageId.of("$r1")), "another room");
        assertEquals(Optional.empty(), reactions.findByRemoteId(MATRIX, RemoteMessageId.of("$nope")));

        ReactionMapping replaced = reaction(MATRIX, BOB, "\uD83D\uDC4D", "$r3");
        reactions.record(replaced);
        assertEquals(Optional.empty(), reactions.findByRemoteId(MATRIX, RemoteMessageId.of("$r1")), "id replaced");
        assertEquals(Optional.of(replaced), reactions.findByRemoteId(MATRIX, RemoteMessageId.of("$r3")));

        assertTrue(reactions.remove(MSG, MATRIX, BOB, "\uD83D\uDC4D"));
        assertEquals(Optional.empty(), reactions.findByRemoteId(MATRIX, RemoteMessageId.of("$r3")), "removed");
    }
}
