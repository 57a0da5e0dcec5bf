package org.bridgeappliance.adapter.matrix;

import java.time.Duration;
import java.util.List;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.testing.AdapterContract;

/** The Matrix adapter keeps the adapter contract (bridge-core's {@link AdapterContract}) against a fake homeserver. */
class MatrixAdapterContractTest extends AdapterContract {
    private final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");

    private MatrixConfig config(boolean enabled) {
        MatrixConfig config = new MatrixConfig();
        config.setEnabled(enabled);
        config.setAsToken("as-token");
        config.setHsToken("hs-token");
        config.setHealthProbeInterval(Duration.ofMillis(100));
        config.setMaxAttempts(1);
        config.setGhostNetworks(List.of("xmpp"));
        return config;
    }

    @Override
    protected ProtocolAdapter disabledAdapter() {
        return new MatrixAdapter(config(false), c -> homeserver);
    }

    @Override
    protected ProtocolAdapter enabledAdapter() {
        return new MatrixAdapter(config(true), c -> homeserver);
    }

    @Override
    protected Portal portal() {
        return Portal.of("matrix", "!room:matrix.test");
    }

    @Override
    protected UserRef foreignPerson() {
        return UserRef.of("xmpp", "bob@xmpp.test");
    }

    @Override
    protected RemoteUserId puppetOf(UserRef person) {
        return RemoteUserId.of("@_xmpp_bob=40xmpp.test:matrix.test");
    }

    @Override
    protected RemoteUserId ordinaryUser() {
        return RemoteUserId.of("@alice:matrix.test");
    }

    @Override
    protected void failNextDeliveryTransiently() {
        homeserver.override("PUT /_matrix/client/v3/rooms/", 502, "bad gateway");
    }

    @Override
    protected Portal refuseNextDelivery() {
        // M_FORBIDDEN on send: the ghost re-joins once, then it is permanent
        homeserver.override("PUT /_matrix/client/v3/rooms/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        homeserver.override("PUT /_matrix/client/v3/rooms/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        return portal();
    }
}
