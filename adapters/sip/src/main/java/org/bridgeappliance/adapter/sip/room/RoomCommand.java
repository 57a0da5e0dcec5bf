package org.bridgeappliance.adapter.sip.room;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code #} commands a phone may send to a room URI (after Kamailio {@code imc}): a line is a command
 * only when its first word is a known one, so {@code "#1 priority"} is text.
 */
public enum RoomCommand {
    JOIN, LEAVE, MEMBERS, HELP;

    /** The help text, one {@code *** } notice. */
    public static final String HELP_TEXT = "*** Commands: #join (join this room), #leave (leave it), "
            + "#members (who is here), #help (this text). Anything else is posted to the room.";

    /** The command {@code text} is, or empty if it is chat text. */
    public static Optional<RoomCommand> parse(String text) {
        String t = text.strip();
        if (!t.startsWith("#")) {
            return Optional.empty();
        }
        int space = t.indexOf(' ');
        String word = (space < 0 ? t.substring(1) : t.substring(1, space)).toLowerCase(Locale.ROOT);
        switch (word) {
            case "join":
                return Optional.of(JOIN);
            case "leave":
                return Optional.of(LEAVE);
            case "members":
                return Optional.of(MEMBERS);
            case "help":
                return Optional.of(HELP);
            default:
                return Optional.empty();
        }
    }
}
