package org.bridgeappliance.admin;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Addressing;

/**
 * For the admin API's tests: what the router's {@link Addressing} gives the API in the running appliance,
 * approximated for the three networks, since this module depends on no adapter. The real grammars and
 * their tests are in the adapters ({@code XmppAddressSyntax}, {@code MatrixAddressSyntax}, and the SIP
 * adapter's); these only need to be right on the addresses the admin tests use.
 */
public final class StandInAddressing {
    /** xmpp, matrix and sip, as the admin tests' adapters. */
    public static final Addressing INSTANCE = network -> Optional.ofNullable(Map.of(
            Network.of("xmpp"), syntax("[^@/\\s]+@[^@/\\s]+", "[^@/\\s]+@[^@/\\s]+", a -> a.toLowerCase(Locale.ROOT)),
            Network.of("matrix"), syntax("[!#][^:\\s]+:[^\\s]+", "@[^:\\s]+:[^\\s]+", a -> a),
            Network.of("sip"), syntax("sips?:[^@\\s;]+@[^@\\s;]+", "sips?:[^@\\s;]+@[^@\\s;]+", a -> a))
            .get(network));

    private StandInAddressing() {
    }

    private static AddressSyntax syntax(String room, String user, java.util.function.UnaryOperator<String> fold) {
        Pattern roomPattern = Pattern.compile(room, Pattern.CASE_INSENSITIVE);
        Pattern userPattern = Pattern.compile(user, Pattern.CASE_INSENSITIVE);
        return new AddressSyntax() {
            @Override
            public Parsed room(String address) {
                return roomPattern.matcher(address).matches() ? Parsed.valid(fold.apply(address))
                        : Parsed.invalid("not a room of this network");
            }

            @Override
            public Parsed user(String address) {
                return userPattern.matcher(address).matches() ? Parsed.valid(fold.apply(address))
                        : Parsed.invalid("not a user of this network");
            }
        };
    }
}
