package org.bridgeappliance.adapter.xmpp;

import jakarta.inject.Singleton;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarSource;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.muc.MucPortalMembership;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.PresenceSupport;
import org.bridgeappliance.core.port.PortalMembership;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomListing;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * The XMPP adapter as a Micronaut bean: always present (deploy/CONVENTIONS.md), DISABLED unless
 * {@code bridge.xmpp.enabled}. Delegates everything to the plain {@link XmppAdapter}.
 */
@Singleton
public class XmppAdapterBean implements ProtocolAdapter, PortalProvisioning, PresenceSupport, RoomListing,
        AvatarSource, PortalMembership {
    private final XmppAdapter adapter;

    public XmppAdapterBean(XmppConfig config) {
        this(config, "");
    }

    /**
     * @param matrixServerName the homeserver's server name ({@code bridge.matrix.server-name}): the default of
     *     the gateway's Matrix allow-list
     */
    @jakarta.inject.Inject
    public XmppAdapterBean(XmppConfig config,
                           @io.micronaut.context.annotation.Value("${bridge.matrix.server-name:}") String matrixServerName) {
        this.adapter = new XmppAdapter(config.toSettings());
        this.adapter.setLimits(config.toLimits().withMatrixServerName(matrixServerName));
        // Kept out of XmppSettings (a record built in many places): only the bean and tests need it.
        this.adapter.setAvatarTrustedUrlPrefixes(config.getAvatarTrustedUrlPrefixes());
        this.adapter.setPublicBaseUrl(config.getPublicBaseUrl());
        this.adapter.setMucServices(config.getMucServices());
        try {
            this.adapter.setComponents(config.toComponents());
        } catch (IllegalArgumentException e) {
            this.adapter.setConfigurationProblem(e.getMessage());
        }
    }

    /** For the avatar endpoint ({@link AvatarSource}): the running adapter's avatars. */
    @Override
    public Optional<XmppAvatars> avatars() {
        return adapter.avatars();
    }

    /** The plain adapter (diagnostics, tests). */
    public XmppAdapter adapter() {
        return adapter;
    }

    @Override
    public Network network() {
        return adapter.network();
    }

    @Override
    public Optional<AddressSyntax> addressSyntax() {
        return adapter.addressSyntax();
    }

    @Override
    public java.util.List<ListedRoom> listRooms(String query, int limit) {
        return adapter.listRooms(query, limit);
    }

    /** For the admin UI's room health: see {@link MucPortalMembership}. */
    @Override
    public Optional<Boolean> bridgeJoined(RemoteRoomId room) {
        return new MucPortalMembership(adapter::mucs).bridgeJoined(room);
    }

    @Override
    public void start(AdapterContext context) {
        adapter.start(context);
    }

    @Override
    public void stop() {
        adapter.stop();
    }

    @Override
    public AdapterState state() {
        return adapter.state();
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return adapter.capabilities(room);
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return adapter.isBridgeUser(user);
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        return adapter.deliver(delivery);
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        adapter.reportFailure(failure);
    }

    @Override
    public void deliverPresence(PresenceEvent presence) {
        adapter.deliverPresence(presence);
    }

    @Override
    public RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser) {
        return adapter.ensureDirectChat(person, localUser);
    }

    @Override
    public Optional<RemoteRoomId> resolveRoom(String address) {
        return adapter.resolveRoom(address);
    }
}
