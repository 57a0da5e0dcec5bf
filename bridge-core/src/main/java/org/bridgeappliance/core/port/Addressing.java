package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;

/**
 * The core's directory of every network's {@link AddressSyntax}: how one module (the admin API, an
 * adapter making a puppet id for a person of another network) gets another network's address rules
 * without knowing them. Handed to adapters in {@link AdapterContext#addressing()}; the router offers it
 * as {@code Router.addressing()}.
 *
 * <p>Threading: thread-safe, never blocks.
 */
@FunctionalInterface
public interface Addressing {

    /** No network has a syntax: every id is compared verbatim. */
    Addressing NONE = network -> Optional.empty();

    /** The syntax of {@code network}'s adapter; empty when the network has no adapter or it offers none. */
    Optional<AddressSyntax> syntax(Network network);

    /** {@link AddressSyntax#canonicalUser} of the person's network, or the id verbatim without a syntax. */
    default String canonicalUser(Network network, String id) {
        return syntax(network).map(s -> s.canonicalUser(id)).orElse(id);
    }

    /** {@code person} with its id in canonical form (see {@link #canonicalUser(Network, String)}). */
    default UserRef canonical(UserRef person) {
        String id = canonicalUser(person.network(), person.user().value());
        return id.equals(person.user().value()) ? person : UserRef.of(person.network().value(), id);
    }

    /** {@link AddressSyntax#canonicalRoom} of the network, or the address verbatim without a syntax. */
    default String canonicalRoom(Network network, String address) {
        return syntax(network).map(s -> s.canonicalRoom(address)).orElse(address);
    }
}
