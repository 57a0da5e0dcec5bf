package org.bridgeappliance.adapter.xmpp.muc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.ext.occupantid.OccupantIdElement;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Participant;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/** Who a MUC participant who is not ours is, as the core knows them. Stateless; any thread. */
final class MucIdentities {
    private final Network network;
    private final MucServices services;

    MucIdentities(Network network, MucServices services) {
        this.network = network;
        this.services = Objects.requireNonNull(services, "services");
    }

    /**
     * Who a MUC participant is: their real bare JID when the room reveals it; else, where the room stamps XEP-0421
     * occupant-ids, {@code <room>#<hash of the occupant-id>} (stable per real account, so a later holder of the
     * same nick is someone else; {@code #} cannot occur in a JID's domain, so no occupant JID equals it); else
     * their occupant JID {@code <room>/<nick>}.
     */
    UserRef sender(MucRoom room, Participant participant) {
        if (participant.realJid().isPresent()) {
            return UserRef.of(network.value(), participant.realJid().get().toString());
        }
        if (room.occupantIds && participant.occupantId().isPresent()) {
            return UserRef.of(network.value(), room.jid + "#" + occupantKey(participant.occupantId().get()));
        }
        return UserRef.of(network.value(), room.jid + "/" + participant.nick());
    }

    /** The room itself as a sender (a moderation the room announces without naming a participant). */
    UserRef roomItself(MucRoom room) {
        return UserRef.of(network.value(), room.jid.toString());
    }

    /** The real JID of an occupant item, believed only from an allowed MUC service (it alone sets it). */
    Optional<EntityBareJid> realJid(MucRoom room, MUCUser x) {
        if (!services.allows(room.jid)) {
            return Optional.empty();
        }
        return Optional.ofNullable(x).map(MUCUser::getItem).map(i -> i.getJid()).map(Jid::asEntityBareJidIfPossible);
    }

    /** 96 bits of SHA-256 of an occupant-id, hex: bounded length (ghost ids), whatever the service sends. */
    private static String occupantKey(String occupantId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(occupantId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static Optional<String> occupantId(Stanza stanza) {
        return Optional.ofNullable(OccupantIdElement.from(stanza)).map(OccupantIdElement::getId);
    }
}
