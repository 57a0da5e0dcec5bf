package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;

/**
 * Optional capability of a {@link ProtocolAdapter} on which people of <em>other</em> networks may also be reached
 * by a short numeric alias that an admin sets: a SIP desk phone dials {@code 7001} to write to
 * {@code @carol:matrix.test} (as if it wrote to her puppet URI). The counterpart of {@link PortalAliases} for
 * people; the adapter decides whose aliases it keeps and checks the alias. Called on the admin API's threads.
 */
public interface PersonAliases {

    /** The alias of {@code person}, if they have one. */
    Optional<String> personAlias(UserRef person);

    /**
     * Gives {@code person} the alias {@code alias}, replacing their old one.
     *
     * @return false if someone else (a person or a room portal) has that alias
     * @throws IllegalArgumentException when the person cannot be reached from this network or the alias is not a
     *         valid alias of this network (the message names the problem)
     */
    boolean setPersonAlias(UserRef person, String alias);

    /** Removes {@code person}'s alias; false if they had none. @throws IllegalArgumentException as above */
    boolean removePersonAlias(UserRef person);
}
