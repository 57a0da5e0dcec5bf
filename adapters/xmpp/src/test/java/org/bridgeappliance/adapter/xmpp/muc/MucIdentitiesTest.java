package org.bridgeappliance.adapter.xmpp.muc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

class MucIdentitiesTest {
    private static final Network XMPP = Network.of("xmpp");
    private final MucIdentities identities = new MucIdentities(XMPP, new MucServices(List.of("conference.xmpp.test")));

    private static MUCUser claimingCeo(String room) throws Exception {
        Presence p = PacketParserUtils.parseStanza("<presence xmlns='jabber:client' from='" + room + "/boss'"
                + " to='listener@matrix.xmpp.test/bridge'><x xmlns='http://jabber.org/protocol/muc#user'>"
                + "<item affiliation='owner' role='moderator' jid='ceo@xmpp.test/laptop'/></x></presence>");
        return MUCUser.from(p);
    }

    /**
     * Issue 9 item 4: a MUC service decides what its occupant items claim, so a hostile service's presences could
     * say {@code jid='ceo@xmpp.test'} and the bridge posted as the real user's ghost. A real JID is believed only
     * from an allowed MUC service; elsewhere the occupant is only their occupant JID.
     */
    @Test
    void aRealJidIsBelievedOnlyFromAnAllowedMucService() throws Exception {
        MucRoom foreign = new MucRoom(JidCreate.entityBareFrom("r@muc.evil.org"), XMPP);
        assertEquals(Optional.empty(), identities.realJid(foreign, claimingCeo("r@muc.evil.org")));
        var claimed = new MucRoom.Participant("boss", identities.realJid(foreign, claimingCeo("r@muc.evil.org")),
                Optional.empty());
        assertEquals(UserRef.of("xmpp", "r@muc.evil.org/boss"), identities.sender(foreign, claimed));

        MucRoom ours = new MucRoom(JidCreate.entityBareFrom("r@Conference.xmpp.test"), XMPP);
        assertEquals(Optional.of(JidCreate.entityBareFrom("ceo@xmpp.test")),
                identities.realJid(ours, claimingCeo("r@conference.xmpp.test")));
    }
}
