package org.bridgeappliance.adapter.sip.address;

import java.util.Optional;

/**
 * The {@code RemoteRoomId} of a 1:1 chat on the SIP side: {@code dm:<phone URI> <puppet URI>}. Both URIs are
 * escaped (no spaces), and a room slug never contains {@code :}, so the two kinds of portal cannot collide.
 *
 * @param phone  the SIP person id ({@code erin@sip.test})
 * @param puppet the puppet URI the phone writes to ({@code sip:carol*matrix.test@matrix.D})
 */
public record DirectChatId(String phone, String puppet) {
    private static final String PREFIX = "dm:";

    public String value() {
        return PREFIX + SipAddressSyntax.personUri(phone) + " " + puppet;
    }

    /** Parses a room id made by {@link #value()}; empty for a room slug or anything else. */
    public static Optional<DirectChatId> parse(String roomId) {
        if (!roomId.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = roomId.substring(PREFIX.length());
        int space = rest.indexOf(' ');
        if (space < 0 || !rest.startsWith("sip:")) {
            return Optional.empty();
        }
        String phoneUri = rest.substring(4, space);
        int at = phoneUri.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        return SipAddressSyntax.personId(phoneUri.substring(0, at), phoneUri.substring(at + 1))
                .map(p -> new DirectChatId(p, rest.substring(space + 1)));
    }
}
