package org.bridgeappliance.core.store.memory;

import java.time.Clock;
import org.bridgeappliance.core.store.BridgeStores;

/** Builds a complete set of in-memory stores. */
public final class InMemoryStores {
    private InMemoryStores() {
    }

    /** Fresh, empty stores stamped with the system UTC clock. */
    public static BridgeStores create() {
        return create(Clock.systemUTC());
    }

    /** Fresh, empty stores; {@code clock} stamps outbox entries, identity links and the like. */
    public static BridgeStores create(Clock clock) {
        return new BridgeStores(new InMemoryRoomDirectory(), new InMemoryMessageMapStore(),
                new InMemoryReactionStore(), new InMemoryOutboxStore(clock), new InMemoryPuppetStore(),
                new InMemoryIdentityLinkStore(clock), new InMemoryProcessedTransactionStore(),
                new InMemoryMessageArchive(), new InMemoryMessageAliasStore());
    }
}
