package org.bridgeappliance.admin;

import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.port.AvatarSource;
import org.bridgeappliance.core.port.PersonAliases;
import org.bridgeappliance.core.port.PortalReactions;
import org.bridgeappliance.core.port.PortalMembership;
import org.bridgeappliance.core.port.RoomListing;

/**
 * A fake XMPP adapter (a unit test may fake a port) that lists two rooms, one with a hostile name, and fails to
 * list when asked for "down"; the Matrix network has no adapter bean here, so it has no listing capability.
 * Person aliases: digits only, one per person, and it refuses "bad@xmpp.test" (as an adapter refuses people it
 * cannot reach). Reactions: on per room until switched off; a room without '@' is not a room.
 */
@Singleton
@Requires(property = "bridge.admin.test-room-listing", value = "true")
public class TestRoomListingAdapter implements ProtocolAdapter, RoomListing, PortalMembership, AvatarSource,
        PersonAliases, PortalReactions {
    static final String HOSTILE = "<img src=x onerror=alert(1)>";

    @Override
    public List<ListedRoom> listRooms(String query, int limit) {
        if (query.equals("down")) {
            throw new RoomListingException("the XMPP adapter is not connected");
        }
        return List.of(
                new ListedRoom(RemoteRoomId.of("lobby@conference.xmpp.test"), Optional.of("Lobby"), Optional.empty(),
                        OptionalInt.of(3)),
                new ListedRoom(RemoteRoomId.of("evil@conference.xmpp.test"), Optional.of(HOSTILE), Optional.empty(),
                        OptionalInt.empty()))
                .stream().filter(r -> r.matches(query.toLowerCase(java.util.Locale.ROOT))).limit(limit).toList();
    }

    /** A tiny PNG (its signature and nothing else: the API checks the declared type and the size, not pixels). */
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** {@code https://avatars.xmpp.test/<name>}: "png" an image, "svg" a script-capable type, "down" an error. */
    @Override
    public Optional<Image> fetchAvatar(java.net.URI uri) throws java.io.IOException {
        if (!"avatars.xmpp.test".equals(uri.getHost())) {
            return Optional.empty();
        }
        return switch (uri.getPath()) {
            case "/png" -> Optional.of(new Image(PNG, "image/png"));
            case "/svg" -> Optional.of(new Image("<svg/>".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "image/svg+xml"));
            default -> throw new java.io.IOException("HTTP 503");
        };
    }

    /** In the lobby, not in the evil room, and cannot tell for any other. */
    @Override
    public Optional<Boolean> bridgeJoined(RemoteRoomId room) {
        return switch (room.value()) {
            case "lobby@conference.xmpp.test" -> Optional.of(true);
            case "evil@conference.xmpp.test" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    private final java.util.Map<String, org.bridgeappliance.core.id.UserRef> personAliases =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Optional<String> personAlias(org.bridgeappliance.core.id.UserRef person) {
        return personAliases.entrySet().stream().filter(e -> e.getValue().equals(person))
                .map(java.util.Map.Entry::getKey).findFirst();
    }

    @Override
    public synchronized boolean setPersonAlias(org.bridgeappliance.core.id.UserRef person, String alias) {
        if (!alias.chars().allMatch(Character::isDigit) || person.user().value().startsWith("bad@")) {
            throw new IllegalArgumentException("not an alias of " + person);
        }
        if (personAliases.containsKey(alias)) {
            return personAliases.get(alias).equals(person);
        }
        personAliases.values().removeIf(person::equals);
        personAliases.put(alias, person);
        return true;
    }

    @Override
    public boolean removePersonAlias(org.bridgeappliance.core.id.UserRef person) {
        return personAliases.values().removeIf(person::equals);
    }

    private final java.util.Set<String> reactionsOff = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public boolean reactionsShown(RemoteRoomId room) {
        return !reactionsOff.contains(checked(room));
    }

    @Override
    public void setReactionsShown(RemoteRoomId room, boolean shown) {
        if (shown) {
            reactionsOff.remove(checked(room));
        } else {
            reactionsOff.add(checked(room));
        }
    }

    private static String checked(RemoteRoomId room) {
        if (!room.value().contains("@")) {
            throw new IllegalArgumentException("not a room: " + room.value());
        }
        return room.value();
    }

    @Override
    public Network network() {
        return Network.of("xmpp");
    }

    @Override
    public void start(AdapterContext context) {
    }

    @Override
    public void stop() {
    }

    @Override
    public AdapterState state() {
        return AdapterState.of(AdapterState.Status.CONNECTED, "fake");
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return false;
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
    }
}
