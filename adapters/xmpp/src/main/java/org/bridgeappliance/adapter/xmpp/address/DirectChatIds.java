package org.bridgeappliance.adapter.xmpp.address;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The {@link RemoteRoomId} of a 1:1 chat between an XMPP user and a puppet:
 * {@code dm:<user bare JID> <puppet bare JID>}, e.g.
 * {@code dm:alice@xmpp.test bob%matrix.test@matrix.xmpp.test}. JIDs never contain a space, so the
 * form splits unambiguously; both JIDs are in their prepared (lowercase) form. Pure.
 */
public final class DirectChatIds {
    private static final String PREFIX = "dm:";

    private DirectChatIds() {
    }

    /** The pair behind a 1:1 room id. */
    public record Pair(EntityBareJid user, EntityBareJid puppet) {
    }

    public static RemoteRoomId of(EntityBareJid user, EntityBareJid puppet) {
        return RemoteRoomId.of(PREFIX + user + " " + puppet);
    }

    public static boolean isDirect(RemoteRoomId room) {
        return room.value().startsWith(PREFIX);
    }

    public static Optional<Pair> parse(RemoteRoomId room) {
        String v = room.value();
        if (!v.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int space = v.indexOf(' ');
        if (space < 0 || v.indexOf(' ', space + 1) >= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Pair(JidCreate.entityBareFrom(v.substring(PREFIX.length(), space)),
                    JidCreate.entityBareFrom(v.substring(space + 1))));
        } catch (XmppStringprepException e) {
            return Optional.empty();
        }
    }
}
