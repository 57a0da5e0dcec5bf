package org.bridgeappliance.core.port;

import java.util.Objects;
import java.util.Optional;

/**
 * Optional capability of a {@link ProtocolAdapter}: the address grammar of its network, so that no
 * other module (the admin API, another adapter, the core) needs to know what a JID, an MXID or a SIP
 * URI looks like. An adapter offers it through {@link ProtocolAdapter#addressSyntax()}; a network
 * without it gets a generic check from its callers (non-empty, a length cap, no control characters,
 * no spaces) and its ids are compared verbatim.
 *
 * <p>Two kinds of input, two kinds of method:
 * <ul>
 * <li>{@link #room} and {@link #user} check an address <em>typed by a person</em> (an admin mapping a
 *     room, linking an identity): strict, they name what is wrong.</li>
 * <li>{@link #canonicalRoom} and {@link #canonicalUser} put an id <em>the network itself produced</em>
 *     (or an address that {@link #room}/{@link #user} accepted) into the one form under which it is
 *     stored and compared, so that two spellings of one person never become two puppets. They are
 *     total: they never fail and accept ids the strict checks refuse (an XMPP occupant's full JID with
 *     its resource, say), and they are idempotent: {@code canonicalUser(canonicalUser(x))} equals
 *     {@code canonicalUser(x)}. Other adapters rely on that to make their puppet ids reversible (the
 *     Matrix adapter decodes a ghost id only if it is the canonical form).</li>
 * </ul>
 *
 * <p>Threading: pure functions of their argument, called from any thread (HTTP workers of the admin API,
 * other adapters' network threads, router pipelines); must not block and must be thread-safe.
 * Implementations bound their work by the input length; inputs are at most a few hundred characters
 * after the callers' own length caps but may be anything a remote party sent.
 */
public interface AddressSyntax {

    /**
     * Checks a room address as a person of this network writes it (a MUC JID
     * {@code room@conference.example.org}, a Matrix {@code !id:server} or {@code #alias:server}, a SIP
     * URI {@code sip:room@example.org}).
     *
     * @param address already stripped of surrounding white space, non-empty, at most 255 characters, free
     *                of control characters (the caller checked that)
     * @return the canonical form to store, or the reason the address is wrong
     */
    Parsed room(String address);

    /**
     * Checks a user address as a person of this network writes it (a bare JID, an MXID, a SIP address of
     * record). Same contract as {@link #room}.
     */
    Parsed user(String address);

    /**
     * The canonical form of a room address of this network; total and idempotent (see the class
     * comment). The default is {@link #room}'s normalised form when it accepts the address, else the
     * address unchanged.
     */
    default String canonicalRoom(String address) {
        return room(address).value().orElse(address);
    }

    /**
     * The canonical form of a user id of this network (as it appears in {@code UserRef}s); total and
     * idempotent (see the class comment). The default is {@link #user}'s normalised form when it accepts
     * the id, else the id unchanged.
     */
    default String canonicalUser(String id) {
        return user(id).value().orElse(id);
    }

    /**
     * The outcome of {@link #room} or {@link #user}: either the normalised address or a message naming
     * what is wrong (shown to the admin as is, so it speaks the network's own terms: "an XMPP room is a
     * bare MUC JID like room@conference.example.org").
     */
    record Parsed(Optional<String> value, Optional<String> problem) {
        public Parsed {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(problem, "problem");
            if (value.isPresent() == problem.isPresent()) {
                throw new IllegalArgumentException("exactly one of value and problem");
            }
        }

        public static Parsed valid(String normalised) {
            return new Parsed(Optional.of(normalised), Optional.empty());
        }

        public static Parsed invalid(String problem) {
            return new Parsed(Optional.empty(), Optional.of(problem));
        }

        public boolean isValid() {
            return value.isPresent();
        }
    }
}
