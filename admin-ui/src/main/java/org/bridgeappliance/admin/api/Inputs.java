package org.bridgeappliance.admin.api;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Addressing;

/**
 * Validation of admin input, naming the offending field in the 400 answer. Checks are the cheap,
 * certain ones (syntax and lengths); whether a room exists is for the adapter to find out. Room and user
 * addresses are the adapters' business: this class knows no network's grammar and asks the network's
 * {@link AddressSyntax} through the core's {@link Addressing}.
 */
final class Inputs {
    /** The longest address of any network (Matrix caps ids at 255 bytes); a network's syntax may be stricter. */
    static final int MAX_ADDRESS = 255;
    static final int MAX_NAME = 200;
    static final int MAX_PORTALS = 16;

    private static final Pattern NETWORK = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private Inputs() {
    }

    /** A trimmed, non-blank, single-line text of at most {@code max} characters. */
    static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            throw ApiException.badRequest(field, field + " is longer than " + max + " characters");
        }
        if (CONTROL.matcher(trimmed).find()) {
            throw ApiException.badRequest(field, field + " contains control characters");
        }
        return trimmed;
    }

    /** A network that one of the appliance's adapters serves. */
    static Network network(String field, String value, Collection<Network> known) {
        String name = text(field, value, 32).toLowerCase(Locale.ROOT);
        if (!NETWORK.matcher(name).matches() || !known.contains(Network.of(name))) {
            String list = known.stream().map(Network::value).sorted().collect(Collectors.joining(", "));
            throw ApiException.badRequest(field, "unknown network '" + abbreviate(value) + "'; known: "
                    + (list.isEmpty() ? "(no adapters installed)" : list));
        }
        return Network.of(name);
    }

    /**
     * A room address on {@code network}, checked and normalised by the network's own
     * {@link AddressSyntax} (its adapter knows its grammar); a network without one gets the generic
     * check (non-blank, at most {@link #MAX_ADDRESS} characters, no control characters, no spaces).
     */
    static String room(String field, Addressing addressing, Network network, String value) {
        String room = text(field, value, MAX_ADDRESS);
        return address(field, room, addressing.syntax(network).map(s -> s.room(room)));
    }

    /** A user address on {@code network}, checked and normalised as {@link #room} does. */
    static String user(String field, Addressing addressing, Network network, String value) {
        String user = text(field, value, MAX_ADDRESS);
        return address(field, user, addressing.syntax(network).map(s -> s.user(user)));
    }

    private static String address(String field, String value, Optional<AddressSyntax.Parsed> parsed) {
        if (parsed.isEmpty()) {
            if (value.chars().anyMatch(Character::isWhitespace)) {
                throw ApiException.badRequest(field, field + " must not contain spaces");
            }
            return value;
        }
        AddressSyntax.Parsed result = parsed.get();
        String normalised = result.value().orElseThrow(() -> ApiException.badRequest(field,
                result.problem().orElse(field + " is not a valid address")));
        // The adapter's normal form must still pass the length and control-character checks.
        return text(field, normalised, MAX_ADDRESS);
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw ApiException.badRequest(field, field + " must be between " + min + " and " + max);
        }
        return value;
    }

    static String abbreviate(String value) {
        String v = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return CONTROL.matcher(v).replaceAll("?");
    }
}
