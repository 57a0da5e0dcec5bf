package org.bridgeappliance.deploy.fourth;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * A fourth network that exists only in this test source tree: an in-memory "network" whose rooms are
 * {@code room:<name>} and people {@code user:<name>}, both case-insensitive. It arrives as one bean with its own
 * {@link AddressSyntax} and configuration block ({@code bridge.fourth.enabled}); nothing in bridge-core, mapping,
 * admin-ui or the other adapters names it. Its network is called {@code fourth} unless {@code bridge.fourth.network}
 * names it otherwise ({@link FourthNetworkSandboxIT} calls it {@code probe}: the sandbox's test-only Matrix
 * application service owns the {@code @_probe_} namespace, the one a network called {@code probe} gets there).
 */
@Singleton
@Requires(property = "bridge.fourth.enabled", value = "true")
public class FourthNetworkAdapter implements ProtocolAdapter {
    /** The default name of the network. */
    static final Network NETWORK = Network.of("fourth");

    /** The fourth network's grammar: {@code room:<name>}, {@code user:<name>}, compared in lower case. */
    static final AddressSyntax SYNTAX = new AddressSyntax() {
        private final Pattern room = Pattern.compile("room:[A-Za-z0-9-]{1,64}");
        private final Pattern user = Pattern.compile("user:[A-Za-z0-9-]{1,64}");

        @Override
        public Parsed room(String address) {
            return room.matcher(address).matches() ? Parsed.valid(address.toLowerCase(Locale.ROOT))
                    : Parsed.invalid("a fourth-network room is room:<name>, like room:lobby");
        }

        @Override
        public Parsed user(String address) {
            return user.matcher(address).matches() ? Parsed.valid(address.toLowerCase(Locale.ROOT))
                    : Parsed.invalid("a fourth-network user is user:<name>, like user:alice");
        }

        @Override
        public String canonicalUser(String id) {
            return id.toLowerCase(Locale.ROOT);
        }
    };

    private final Network network;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    final List<DeliveryFailure> failures = new CopyOnWriteArrayList<>();
    private volatile AdapterContext context;
    private volatile AdapterState state = new AdapterState(AdapterState.Status.STOPPED, "not started", Instant.EPOCH);

    public FourthNetworkAdapter(@Value("${bridge.fourth.network:fourth}") String network) {
        this.network = Network.of(network);
    }

    @Override
    public Network network() {
        return network;
    }

    @Override
    public Optional<AddressSyntax> addressSyntax() {
        return Optional.of(SYNTAX);
    }

    @Override
    public void start(AdapterContext ctx) {
        context = ctx;
        state = AdapterState.of(AdapterState.Status.CONNECTED, "in memory");
        ctx.stateListener().stateChanged(network, state);
    }

    AdapterContext context() {
        return context;
    }

    @Override
    public void stop() {
        state = AdapterState.of(AdapterState.Status.STOPPED, "stopped");
    }

    @Override
    public AdapterState state() {
        return state;
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return RoomCapabilities.PLAIN_TEXT;
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return user.value().startsWith("puppet:");
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        deliveries.add(delivery);
        return DeliveryReceipt.of("fourth-" + deliveries.size());
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        failures.add(failure);
    }
}
