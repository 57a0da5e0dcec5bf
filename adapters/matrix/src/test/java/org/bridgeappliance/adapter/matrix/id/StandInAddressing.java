package org.bridgeappliance.adapter.matrix.id;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Addressing;

/**
 * For the Matrix adapter's tests: stand-ins for the core's {@link Addressing} over the XMPP and SIP
 * adapters, which this module must not depend on. They apply the two networks' canonical forms (an XMPP
 * JID's bare part case-insensitive, RFC 7622; a SIP URI's scheme and host case-insensitive, RFC 3261
 * §19.1.4) so that the ghost-id tests see what the running appliance gives the codec.
 */
public final class StandInAddressing {
    private static final AddressSyntax XMPP = new Canonical() {
        @Override
        public String canonicalUser(String id) {
            int slash = id.indexOf('/');
            return slash < 0 ? id.toLowerCase(Locale.ROOT)
                    : id.substring(0, slash).toLowerCase(Locale.ROOT) + id.substring(slash);
        }
    };
    private static final AddressSyntax SIP = new Canonical() {
        @Override
        public String canonicalUser(String id) {
            int at = id.lastIndexOf('@');
            String user = at < 0 ? "" : id.substring(0, at + 1);
            String host = at < 0 ? id : id.substring(at + 1);
            if (user.regionMatches(true, 0, "sip:", 0, 4) || user.regionMatches(true, 0, "sips:", 0, 5)) {
                int colon = user.indexOf(':');
                user = user.substring(0, colon).toLowerCase(Locale.ROOT) + user.substring(colon);
            }
            return user + host.toLowerCase(Locale.ROOT);
        }
    };

    /** XMPP and SIP as the running appliance's adapters define them. */
    public static final Addressing INSTANCE = network -> Optional.ofNullable(
            Map.of(Network.of("xmpp"), XMPP, Network.of("sip"), SIP).get(network));

    private StandInAddressing() {
    }

    /** Rooms canonical as users; the strict checks are not what these tests are about. */
    private abstract static class Canonical implements AddressSyntax {
        @Override
        public Parsed room(String address) {
            return Parsed.valid(canonicalRoom(address));
        }

        @Override
        public Parsed user(String address) {
            return Parsed.valid(canonicalUser(address));
        }

        @Override
        public String canonicalRoom(String address) {
            return canonicalUser(address);
        }
    }
}
