package org.bridgeappliance.admin.api;

import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.core.id.Network;

/**
 * Validation of admin input, naming the offending field in the 400 answer. Checks are the cheap,
 * certain ones (syntax and lengths); whether a room exists is for the adapter to find out.
 */
final class Inputs {
    /** Matrix caps room ids, aliases and user ids at 255 bytes (spec, appendices "Identifier grammar"). */
    static final int MAX_ADDRESS = 255;
    static final int MAX_NAME = 200;
    static final int MAX_PORTALS = 16;

    private static final String HOST = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
            + "[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])";
    private static final String PORT = "(?::[0-9]{1,5})?";
    /** RFC 7622 §3.3.1: a localpart excludes " & ' / : < > @ and, via PRECIS, spaces and controls. */
    private static final Pattern XMPP_BARE_JID = Pattern.compile("[^\"&'/:<>@\\s\\p{Cntrl}]{1,1023}@" + HOST);
    /** Room ids: {@code !opaque:server}; from room version 12 (MSC4291) just {@code !opaque}. */
    private static final Pattern MATRIX_ROOM_ID = Pattern.compile("![^:\\s\\p{Cntrl}]+(?::" + HOST + PORT + ")?");
    private static final Pattern MATRIX_ALIAS = Pattern.compile("#[^:\\s\\p{Cntrl}]+:" + HOST + PORT);
    private static final Pattern MATRIX_USER = Pattern.compile("@[^:\\s\\p{Cntrl}]+:" + HOST + PORT);
    /** RFC 3261 §19.1: {@code sip:user@host[:port]}; parameters and headers are not part of an address here. */
    private static final Pattern SIP_URI = Pattern.compile("(?i:sips?):[^@\\s\\p{Cntrl};?]+@" + HOST + PORT);
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

    /** A room address on {@code network}, checked and normalised where its syntax is known. */
    static String room(String field, Network network, String value) {
        String room = text(field, value, MAX_ADDRESS);
        switch (network.value()) {
            case "xmpp" -> {
                if (!XMPP_BARE_JID.matcher(room).matches()) {
                    throw ApiException.badRequest(field, "an XMPP room is a bare MUC JID like room@conference.example.org");
                }
                // Prosody and ejabberd case-fold MUC JIDs (RFC 7622 §3.3 UsernameCaseMapped); storing the folded
                // form keeps one room from being mapped twice under two spellings.
                return room.toLowerCase(Locale.ROOT);
            }
            case "matrix" -> {
                if (!MATRIX_ROOM_ID.matcher(room).matches() && !MATRIX_ALIAS.matcher(room).matches()) {
                    throw ApiException.badRequest(field,
                            "a Matrix room is a room id like !abc:example.org or an alias like #room:example.org");
                }
                return room; // case-sensitive by the Matrix spec
            }
            case "sip" -> {
                if (!SIP_URI.matcher(room).matches()) {
                    throw ApiException.badRequest(field, "a SIP room is a SIP URI like sip:room@example.org");
                }
                return sipNormalise(room);
            }
            default -> {
                if (room.chars().anyMatch(Character::isWhitespace)) {
                    throw ApiException.badRequest(field, field + " must not contain spaces");
                }
                return room;
            }
        }
    }

    /** A user address on {@code network}, checked and normalised where its syntax is known. */
    static String user(String field, Network network, String value) {
        String user = text(field, value, MAX_ADDRESS);
        switch (network.value()) {
            case "xmpp" -> {
                if (!XMPP_BARE_JID.matcher(user).matches()) {
                    throw ApiException.badRequest(field, "an XMPP user is a bare JID like alice@example.org");
                }
                return user.toLowerCase(Locale.ROOT);
            }
            case "matrix" -> {
                if (!MATRIX_USER.matcher(user).matches()) {
                    throw ApiException.badRequest(field, "a Matrix user is an id like @alice:example.org");
                }
                return user;
            }
            case "sip" -> {
                if (!SIP_URI.matcher(user).matches()) {
                    throw ApiException.badRequest(field, "a SIP user is an address of record like sip:alice@example.org");
                }
                return sipNormalise(user);
            }
            default -> {
                if (user.chars().anyMatch(Character::isWhitespace)) {
                    throw ApiException.badRequest(field, field + " must not contain spaces");
                }
                return user;
            }
        }
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw ApiException.badRequest(field, field + " must be between " + min + " and " + max);
        }
        return value;
    }

    /** RFC 3261 §19.1.4: scheme and host compare case-insensitively, the user part does not. */
    private static String sipNormalise(String uri) {
        int colon = uri.indexOf(':');
        int at = uri.lastIndexOf('@');
        return uri.substring(0, colon).toLowerCase(Locale.ROOT) + uri.substring(colon, at + 1)
                + uri.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    static String abbreviate(String value) {
        String v = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return CONTROL.matcher(v).replaceAll("?");
    }
}
