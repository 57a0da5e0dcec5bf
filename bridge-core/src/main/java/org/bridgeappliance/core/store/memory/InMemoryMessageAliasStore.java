package org.bridgeappliance.core.store.memory;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageAliasStore;

/** In-memory {@link MessageAliasStore}: scoped by portal and author, newest alias wins. */
public final class InMemoryMessageAliasStore implements MessageAliasStore {
    private record Key(Portal portal, UserRef author, RemoteMessageId alias) {
    }

    private final Map<Key, RemoteMessageId> aliases = new ConcurrentHashMap<>();

    @Override
    public void alias(Portal portal, UserRef author, RemoteMessageId alias, RemoteMessageId canonical) {
        aliases.put(key(portal, author, alias), Objects.requireNonNull(canonical, "canonical"));
    }

    @Override
    public Optional<RemoteMessageId> resolve(Portal portal, UserRef author, RemoteMessageId alias) {
        return Optional.ofNullable(aliases.get(key(portal, author, alias)));
    }

    private static Key key(Portal portal, UserRef author, RemoteMessageId alias) {
        return new Key(Objects.requireNonNull(portal, "portal"), Objects.requireNonNull(author, "author"),
                Objects.requireNonNull(alias, "alias"));
    }
}
