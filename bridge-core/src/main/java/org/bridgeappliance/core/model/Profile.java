package org.bridgeappliance.core.model;

import java.net.URI;
import java.util.Optional;

/**
 * A person's public face: the display name and avatar their puppets show on other networks.
 *
 * @param displayName the name to show; empty when unknown (adapters then derive one from the id)
 * @param avatar      where the avatar image can be fetched (an mxc:, https: or bridge-served URI)
 */
public record Profile(Optional<String> displayName, Optional<URI> avatar) {
    public static final Profile EMPTY = new Profile(Optional.empty(), Optional.empty());

    public Profile {
        displayName = displayName.filter(n -> !n.isBlank());
    }

    public static Profile named(String displayName) {
        return new Profile(Optional.ofNullable(displayName), Optional.empty());
    }
}
