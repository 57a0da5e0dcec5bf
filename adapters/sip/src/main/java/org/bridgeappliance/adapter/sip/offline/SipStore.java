package org.bridgeappliance.adapter.sip.offline;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.core.id.UserRef;

/**
 * The SIP adapter's own durable state: the per-recipient queue of MESSAGEs for phones that were offline
 * (404/408/480, msilo semantics; outside the rooms' pipelines, so one unregistered phone never holds up a
 * room), and the SIP members of room portals, and the numeric aliases of rooms and people. The appliance provides a JDBC implementation (mapping module,
 * migrations V8, V9); {@link InMemorySipStore} serves tests.
 *
 * <p>Thread-safe; every method may block on the database briefly. Durable on return.
 */
public interface SipStore {

    /**
     * One queued MESSAGE part.
     *
     * @param id          assigned by {@link #enqueue} (ignored there); the queue order per recipient
     * @param recipient   the SIP person id ({@code erin@sip.test})
     * @param fromUri     the URI it comes from (a puppet or a room URI)
     * @param fromName    that URI's display name
     * @param body        the text, already split and prefixed
     * @param author      who wrote it, {@code network:user}, for the expiry notice
     * @param createdAt   when it was first tried
     * @param expiresAt   when it is dropped (and its author told)
     * @param outcomeKey  the key of the delivery whose outcome the core awaits ({@code OfflineQueue.encode});
     *                    empty when nobody awaits this part
     */
    record Pending(long id, String recipient, String fromUri, String fromName, String body, String author,
                   Instant createdAt, Instant expiresAt, Optional<String> outcomeKey) {
        public Pending {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(fromUri, "fromUri");
            Objects.requireNonNull(fromName, "fromName");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
            Objects.requireNonNull(outcomeKey, "outcomeKey");
        }
    }

    /** Appends to {@code pending.recipient()}'s queue; returns the id. */
    long enqueue(Pending pending);

    /** The oldest {@code limit} entries for one recipient, in queue order. */
    List<Pending> pendingFor(String recipient, int limit);

    /** Recipients with at least one entry (at most {@code limit}). */
    List<String> recipients(int limit);

    /** Removes one entry; false if it was gone (delivered by a concurrent flush). */
    boolean delete(long id);

    /** Entries whose {@code expiresAt} is before {@code now} (at most {@code limit}). */
    List<Pending> expired(Instant now, int limit);

    /** The SIP members of the room portal {@code slug}. */
    Set<String> members(String slug);

    /** Adds a member; false if already one. */
    boolean addMember(String slug, String person);

    /** Removes a member; false if not one. */
    boolean removeMember(String slug, String person);

    /** The room (slug) that the numeric {@code alias} names. */
    Optional<String> roomOfAlias(String alias);

    /** The numeric alias of room {@code slug}, if it has one. */
    Optional<String> aliasOf(String slug);

    /** Gives room {@code slug} the alias {@code alias} (replacing its own old one); false if another room has it. */
    boolean setAlias(String slug, String alias);

    /** Removes the alias of room {@code slug}; false if it had none. */
    boolean removeAlias(String slug);

    /** The Matrix or XMPP person that the numeric {@code alias} names (migration V14). */
    Optional<UserRef> personOfAlias(String alias);

    /** The numeric alias of {@code person}, if they have one. */
    Optional<String> aliasOfPerson(UserRef person);

    /** Gives {@code person} the alias {@code alias} (replacing their old one); false if another person has it. */
    boolean setPersonAlias(UserRef person, String alias);

    /** Removes the alias of {@code person}; false if they had none. */
    boolean removePersonAlias(UserRef person);
    /** Whether room {@code slug}'s phones get reactions (as notices); true unless switched off (migration V14). */
    boolean reactionsShown(String slug);

    /** Switches reactions for room {@code slug} on or off. */
    void setReactionsShown(String slug, boolean shown);
}
