package org.bridgeappliance.adapter.xmpp.disco;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.muc.MucServices;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PortalProvisioning.resolveRoom} for XMPP: an address ({@code room@service}, {@code xmpp:room@service?join})
 * names a bridgeable MUC if it is on an allowed MUC service ({@code bridge.xmpp.muc-services}), is not one of the
 * bridge's own component domains, and answers disco#info with a {@code conference/text} identity. Blocks the
 * calling thread for the round trip (never the inbound thread).
 */
public final class MucRoomResolver {
    private static final Logger LOG = LoggerFactory.getLogger(MucRoomResolver.class);

    private final StanzaSender sender;
    private final PuppetAddressing addressing;
    private final MucServices allowed;
    private final Duration timeout;

    public MucRoomResolver(StanzaSender sender, PuppetAddressing addressing, MucServices allowed, Duration timeout) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.addressing = Objects.requireNonNull(addressing, "addressing");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    public Optional<RemoteRoomId> resolve(String address) {
        String candidate = address.startsWith("xmpp:") ? address.substring(5) : address;
        int query = candidate.indexOf('?');
        if (query >= 0) {
            candidate = candidate.substring(0, query);
        }
        EntityBareJid room;
        try {
            room = JidCreate.entityBareFrom(candidate);
        } catch (XmppStringprepException e) {
            return Optional.empty();
        }
        if (addressing.isOnComponent(room)) {
            return Optional.empty(); // our own gateway rooms are not MUCs to bridge again
        }
        if (!allowed.allows(room)) {
            // A foreign service decides what its presences claim (real JIDs, moderations): never joined.
            LOG.info("refused to resolve {}: MUC service not in bridge.xmpp.muc-services {}", room, allowed.domains());
            return Optional.empty();
        }
        DiscoverInfo request = new DiscoverInfo();
        request.setTo(room);
        request.setFrom(JidCreate.domainBareFromOrThrowUnchecked(addressing.componentDomain()));
        try {
            IQ answer = sender.request(request, timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (answer instanceof DiscoverInfo info && info.hasIdentity("conference", "text")) {
                return Optional.of(RemoteRoomId.of(room.toString()));
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new TransientDeliveryException("no disco#info answer from " + room, e);
        }
    }
}
