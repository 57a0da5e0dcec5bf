package org.bridgeappliance.adapter.xmpp.errors;

import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.address.DirectChatIds;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells an XMPP author that their message did not reach another network ({@code ProtocolAdapter.reportFailure}):
 * an error message with the original id and body, from the puppet they wrote to (1:1 chats) or from the component
 * of the network that failed. MUC occupants whose real JID the room hides are not told (MUC services kick
 * occupants that bounce errors); that is logged for the admin instead. Never throws.
 */
public final class FailureReports {
    private static final Logger LOG = LoggerFactory.getLogger(FailureReports.class);

    private final StanzaSender sender;
    private final PuppetAddressing addressing;

    public FailureReports(StanzaSender sender, PuppetAddressing addressing) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.addressing = Objects.requireNonNull(addressing, "addressing");
    }

    public void report(DeliveryFailure failure) {
        try {
            RoomEvent event = failure.event();
            Portal origin = event.origin();
            String text = "Not delivered to " + failure.target().network() + ": " + failure.reason();
            StanzaError error = StanzaErrors.error(StanzaError.Condition.service_unavailable, text);
            String id = event.remoteId().map(Object::toString).orElse(null);
            Jid to = JidCreate.from(event.sender().user().value());
            Jid from;
            Optional<DirectChatIds.Pair> pair = DirectChatIds.parse(origin.room());
            if (pair.isPresent()) {
                from = JidCreate.fullFrom(pair.get().puppet(), Resourcepart.from("bridge"));
            } else if (to.hasResource() && to.asBareJid().toString().equals(origin.room().value())) {
                LOG.warn("delivery of {} from {} failed: {}", id, to, failure.reason());
                return;
            } else {
                from = JidCreate.domainBareFrom(addressing.domainFor(failure.target().network()).domain());
            }
            var message = StanzaBuilder.buildMessage(id).ofType(Message.Type.error).from(from).to(to).setError(error);
            if (event instanceof MessageEvent m && !m.body().plain().isEmpty()) {
                message.setBody(m.body().plain());
            }
            sender.send(message.build());
        } catch (XmppStringprepException | ComponentConnection.NotConnectedException | RuntimeException e) {
            LOG.warn("could not report a failed delivery to its XMPP author: {}", e.toString());
        }
    }
}
