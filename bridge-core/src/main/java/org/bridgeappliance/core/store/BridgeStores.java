package org.bridgeappliance.core.store;

import java.util.Objects;
import org.bridgeappliance.core.store.memory.InMemoryLateOutcomeStore;

/**
 * The persistence ports the core and the adapters use. The {@code mapping} module implements them
 * with JDBC; {@code org.bridgeappliance.core.store.memory} has in-memory versions for tests and
 * benchmarks.
 *
 * @param archive the rooms' conversations (history on join, MAM); {@link MessageArchive#NONE} keeps none
 * @param aliases second names of remote messages (e.g. an XMPP sender's own id for a MUC message whose
 *                canonical id is the room's stanza-id); {@link MessageAliasStore#NONE} keeps none
 * @param lateOutcomes deliveries a store-and-forward network settles later (see
 *                {@link org.bridgeappliance.core.port.DeliveryOutcomes})
 * @param unitOfWork groups store calls into one transaction where the stores have them
 *                ({@link UnitOfWork#DIRECT} where they do not)
 */
public record BridgeStores(RoomDirectory rooms, MessageMapStore messages, ReactionStore reactions,
                           OutboxStore outbox, PuppetStore puppets, IdentityLinkStore identities,
                           ProcessedTransactionStore transactions, MessageArchive archive,
                           MessageAliasStore aliases, LateOutcomeStore lateOutcomes, UnitOfWork unitOfWork) {
    /** The store set without transactions spanning calls ({@link UnitOfWork#DIRECT}). */
    public BridgeStores(RoomDirectory rooms, MessageMapStore messages, ReactionStore reactions,
                        OutboxStore outbox, PuppetStore puppets, IdentityLinkStore identities,
                        ProcessedTransactionStore transactions, MessageArchive archive,
                        MessageAliasStore aliases, LateOutcomeStore lateOutcomes) {
        this(rooms, messages, reactions, outbox, puppets, identities, transactions, archive, aliases, lateOutcomes,
                UnitOfWork.DIRECT);
    }

    /**
     * The store set with late delivery outcomes kept in memory only ({@link InMemoryLateOutcomeStore}): a
     * restart forgets which deliveries still await theirs.
     */
    public BridgeStores(RoomDirectory rooms, MessageMapStore messages, ReactionStore reactions,
                        OutboxStore outbox, PuppetStore puppets, IdentityLinkStore identities,
                        ProcessedTransactionStore transactions, MessageArchive archive, MessageAliasStore aliases) {
        this(rooms, messages, reactions, outbox, puppets, identities, transactions, archive, aliases,
                new InMemoryLateOutcomeStore());
    }

    /**
     * The store set without persistent message aliases ({@link MessageAliasStore#NONE}): adapters then
     * resolve aliases only from what they learned since they started.
     */
    public BridgeStores(RoomDirectory rooms, MessageMapStore messages, ReactionStore reactions,
                        OutboxStore outbox, PuppetStore puppets, IdentityLinkStore identities,
                        ProcessedTransactionStore transactions, MessageArchive archive) {
        this(rooms, messages, reactions, outbox, puppets, identities, transactions, archive, MessageAliasStore.NONE);
    }

    /** The store set without an archive ({@link MessageArchive#NONE}): history stays empty. */
    public BridgeStores(RoomDirectory rooms, MessageMapStore messages, ReactionStore reactions,
                        OutboxStore outbox, PuppetStore puppets, IdentityLinkStore identities,
                        ProcessedTransactionStore transactions) {
        this(rooms, messages, reactions, outbox, puppets, identities, transactions, MessageArchive.NONE);
    }

    public BridgeStores {
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(reactions, "reactions");
        Objects.requireNonNull(outbox, "outbox");
        Objects.requireNonNull(puppets, "puppets");
        Objects.requireNonNull(identities, "identities");
        Objects.requireNonNull(transactions, "transactions");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(aliases, "aliases");
        Objects.requireNonNull(lateOutcomes, "lateOutcomes");
        Objects.requireNonNull(unitOfWork, "unitOfWork");
    }
}
