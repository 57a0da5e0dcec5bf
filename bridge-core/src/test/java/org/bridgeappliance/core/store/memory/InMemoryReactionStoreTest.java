package org.bridgeappliance.core.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.ReactionMapping;
import org.junit.jupiter.api.Test;

class InMemoryReactionStoreTest {
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final Portal OTHER = Portal.of("matrix", "!other:example.org");
    private static final UserRef BOB = UserRef.of("matrix", "@bob:example.org");

    private final InMemoryReactionStore store = new InMemoryReactionStore();

    @Test
    void findsByRemoteIdScopedByPortalAndForgetsRemoved() {
        ReactionMapping r = new ReactionMapping(BridgeMessageId.of("m1"), MATRIX, BOB, "+1", RemoteMessageId.of("$r1"));
        store.record(r);
        assertEquals(Optional.of(r), store.findByRemoteId(MATRIX, RemoteMessageId.of("$r1")));
        assertEquals(Optional.empty(), store.findByRemoteId(OTHER, RemoteMessageId.of("$r1")), "other portal");
        assertEquals(Optional.empty(), store.findByRemoteId(MATRIX, RemoteMessageId.of("$r2")));
        store.remove(r.messageId(), MATRIX, BOB, "+1");
        assertEquals(Optional.empty(), store.findByRemoteId(MATRIX, RemoteMessageId.of("$r1")));
    }
}
