package org.bridgeappliance.adapter.xmpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.testing.AdapterContract;

/** The XMPP adapter keeps the adapter contract (bridge-core's {@link AdapterContract}) against a scripted component port. */
class XmppAdapterContractTest extends AdapterContract {
    private static final String PUPPET = "bob%matrix.test@matrix.xmpp.test";
    private final FakeComponentServer server;
    private XmppAdapter enabled;

    XmppAdapterContractTest() throws IOException {
        server = new FakeComponentServer("secret");
    }

    private XmppSettings settings(boolean on) {
        return new XmppSettings(on, "127.0.0.1", server.port(), "secret", "xmpp.test", "conference.xmpp.test",
                "matrix.xmpp.test", 64 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(20),
                Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofMinutes(5), "Matrix bridge", true, 20);
    }

    @Override
    protected ProtocolAdapter disabledAdapter() {
        return new XmppAdapter(settings(false), () -> 0.5);
    }

    @Override
    protected ProtocolAdapter enabledAdapter() {
        enabled = new XmppAdapter(settings(true), () -> 0.5);
        return enabled;
    }

    @Override
    protected Portal portal() {
        return Portal.of("xmpp", "dm:alice@xmpp.test " + PUPPET);
    }

    @Override
    protected UserRef foreignPerson() {
        return UserRef.of("matrix", "@bob:matrix.test");
    }

    @Override
    protected RemoteUserId puppetOf(UserRef person) {
        return RemoteUserId.of(PUPPET);
    }

    @Override
    protected RemoteUserId ordinaryUser() {
        return RemoteUserId.of("alice@xmpp.test");
    }

    /** XMPP has no synchronous server errors on a stanza: a lost component stream is the transient failure. */
    @Override
    protected void failNextDeliveryTransiently() {
        try {
            server.close(); // no reconnect either
            server.awaitPeer(Duration.ofSeconds(5)).close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (enabled.state().canDeliver()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the adapter did not notice the lost stream: " + enabled.state());
            }
            // A state poll, not a synchronisation: the reader thread sets the state on EOF.
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Refusals of a sent stanza arrive later as error stanzas; a 1:1 target that is not an address is refused at once. */
    @Override
    protected Portal refuseNextDelivery() {
        return Portal.of("xmpp", "dm:not-an-address");
    }

    @Override
    protected void closeFakes() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
