package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.Occupant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;

/**
 * Membership in step from the start: people who were already in a Matrix room when an admin mapped it to a MUC appear
 * there as their puppets (with their room display names) without saying anything, and people already in the MUC
 * appear in the Matrix room as ghosts; the bridge's own users (its bot and the ghosts of XMPP users) never get
 * puppets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExistingMembersIT {
    private BridgeFixture f;

    @BeforeAll
    void setUp() {
        f = new BridgeFixture();
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void silentMembersOfEachSideAppearOnTheOtherWhenTheRoomIsMapped() throws Exception {
        Session carol = f.newMatrixUser("carol", "Carol " + Sandbox.uniqueName("c"));
        MatrixWatch carolSees = new MatrixWatch(f.matrix, carol);
        Session dave = f.newMatrixUser("dave", "Dave " + Sandbox.uniqueName("d"));
        String daveRoomName = "Dave in this room " + Sandbox.uniqueName("n");
        String roomId = f.matrix.createRoom(carol, Map.of("preset", "private_chat", "name", "existing members",
            "invite", List.of(f.bot(), dave.userId())));
        carolSees.await("the bridge bot joining", e -> e.roomId().equals(roomId) && "m.room.member".equals(e.type())
            && f.bot().equals(e.event().path("state_key").asText())
            && "join".equals(e.content().path("membership").asText()), WAIT);
        f.matrix.join(dave, roomId, null);
        BridgeFixture.expectOk("dave's room name", f.call("PUT", "/_matrix/client/v3/rooms/" + BridgeFixture.enc(roomId)
            + "/state/m.room.member/" + BridgeFixture.enc(dave.userId()), dave,
            BridgeFixture.object().put("membership", "join").put("displayname", daveRoomName)));

        XmppUsers.User alice = f.xmpp.registerAndLogin("alice");
        MultiUserChat muc = f.createMuc(alice, "alice-nick");
        f.createMapping(roomId, muc.getRoom());

        EntityBareJid davePuppet = f.puppetOf(dave.userId());
        EntityBareJid carolPuppet = f.puppetOf(carol.userId());
        BridgeFixture.awaitCondition("dave's puppet in the MUC as '" + daveRoomName + "'",
            () -> occupant(muc, davePuppet).map(o -> daveRoomName.equals(o.getNick().toString())).orElse(false), WAIT);
        BridgeFixture.awaitCondition("carol's puppet in the MUC", () -> occupant(muc, carolPuppet).isPresent(), WAIT);

        // The other way: alice was in her MUC before the bridge came; her ghost joins the Matrix room without her
        // saying anything.
        String aliceGhost = f.ghostOf(alice.jid());
        BridgeFixture.awaitCondition("alice's ghost joined to the Matrix room", () -> {
            var r = f.call("GET", "/_matrix/client/v3/rooms/" + BridgeFixture.enc(roomId) + "/joined_members", carol, null);
            return r.ok() && r.body().path("joined").has(aliceGhost);
        }, WAIT);

        String botPuppet = f.puppetOf(f.bot()).toString();
        for (EntityFullJid jid : muc.getOccupants()) {
            Occupant o = muc.getOccupant(jid);
            String real = o == null || o.getJid() == null ? "" : o.getJid().asBareJid().toString();
            assertFalse(real.equals(botPuppet), "the bridge bot got a puppet: " + jid);
            assertFalse(real.startsWith("_xmpp_"), "a ghost of an XMPP user got a puppet: " + jid + " = " + real);
        }
    }

    private static Optional<Occupant> occupant(MultiUserChat muc, EntityBareJid realJid) {
        for (EntityFullJid jid : muc.getOccupants()) {
            Occupant o = muc.getOccupant(jid);
            if (o != null && o.getJid() != null && realJid.equals(o.getJid().asBareJid())) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }
}
