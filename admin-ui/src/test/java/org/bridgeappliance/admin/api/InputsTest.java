package org.bridgeappliance.admin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Addressing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin API's own checks around addresses: trimming, lengths, control characters, the generic check of
 * a network without an address syntax, and handing the rest to the network's syntax. The grammars
 * themselves (JIDs, Matrix ids, SIP URIs) are tested in their adapters.
 */
class InputsTest {
    private static final Set<Network> KNOWN = Set.of(Network.of("xmpp"), Network.of("matrix"), Network.of("sip"));
    /** A syntax of network "lower": addresses with an '@', folded to lower case. */
    private static final AddressSyntax LOWER = new AddressSyntax() {
        @Override
        public Parsed room(String address) {
            return address.contains("@") ? Parsed.valid(address.toLowerCase(Locale.ROOT))
                    : Parsed.invalid("a lower room has an @");
        }

        @Override
        public Parsed user(String address) {
            return address.contains("@") ? Parsed.valid(address.toLowerCase(Locale.ROOT))
                    : Parsed.invalid("a lower user has an @");
        }
    };
    private static final Addressing ADDRESSING = network -> network.value().equals("lower")
            ? Optional.of(LOWER) : Optional.empty();
    private static final Network LOWER_NET = Network.of("lower");
    private static final Network PLAIN = Network.of("sips");

    @ParameterizedTest
    @CsvSource({
            "lower, Room@Conference.Test,   room@conference.test",
            "lower, ' spaced@c.test ',      spaced@c.test",
            "sips,  x,                      x",
            "sips,  ' Case@Kept ',          Case@Kept",
    })
    void acceptsAndNormalisesRooms(String network, String input, String expected) {
        assertEquals(expected, Inputs.room("r", ADDRESSING, Network.of(network), input));
        assertEquals(expected, Inputs.user("u", ADDRESSING, Network.of(network), input));
    }

    @Test
    void aBadAddressIsRefusedInTheNetworksOwnWordsNamingTheField() {
        ApiException e = assertThrows(ApiException.class,
                () -> Inputs.room("portals[0].room", ADDRESSING, LOWER_NET, "room"));
        assertEquals("portals[0].room", e.field());
        assertEquals("a lower room has an @", e.getMessage());
        ApiException u = assertThrows(ApiException.class, () -> Inputs.user("first.user", ADDRESSING, LOWER_NET, "x"));
        assertEquals("first.user", u.field());
        assertEquals("a lower user has an @", u.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"sips, 'a b'", "sips, ''", "lower, ''", "lower, 'a\u0007@b'"})
    void theGenericChecksApplyToEveryNetwork(String network, String input) {
        ApiException e = assertThrows(ApiException.class,
                () -> Inputs.room("portals[0].room", ADDRESSING, Network.of(network), input));
        assertEquals("portals[0].room", e.field());
    }

    @Test
    void lengthIsCappedBeforeTheSyntaxIsAsked() {
        String tooLong = "a".repeat(300) + "@x.test";
        assertThrows(ApiException.class, () -> Inputs.room("r", ADDRESSING, LOWER_NET, tooLong));
        assertThrows(ApiException.class, () -> Inputs.user("u", ADDRESSING, PLAIN, tooLong));
    }

    @ParameterizedTest
    @CsvSource({"irc", "XMPP2", "'x y'", "''"})
    void rejectsUnknownNetworks(String network) {
        ApiException e = assertThrows(ApiException.class, () -> Inputs.network("portals[0].network", network, KNOWN));
        assertEquals("portals[0].network", e.field());
    }

    @Test
    void networkNamesAreCaseInsensitive() {
        assertEquals(Network.of("xmpp"), Inputs.network("n", "XMPP", KNOWN));
    }
}
