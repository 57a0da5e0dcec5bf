package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Participant;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;

/** Tells the core that a participant who is not ours joined, left or changed their profile in a bridged MUC. */
final class MucMembership {
    private final MucIdentities identities;
    private final XmppAvatars avatars;
    private final XmppIngress ingress;
    private final Clock clock;

    MucMembership(MucIdentities identities, XmppAvatars avatars, XmppIngress ingress, Clock clock) {
        this.identities = identities;
        this.avatars = avatars;
        this.ingress = ingress;
        this.clock = clock;
    }

    void report(MucRoom room, Participant participant, MembershipEvent.Membership what) {
        UserRef person = identities.sender(room, participant);
        EventMeta meta = new EventMeta(room.portal, person, avatars.profile(person, participant.nick()), Optional.empty(),
                clock.instant());
        ingress.submit(new XmppInboundConverter.Result(List.of(new MembershipEvent(meta, person, what, Optional.empty())),
                Optional.empty(), false));
    }
}
