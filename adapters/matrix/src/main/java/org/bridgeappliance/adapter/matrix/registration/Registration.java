package org.bridgeappliance.adapter.matrix.registration;

import java.util.List;
import java.util.Objects;

/**
 * An application-service registration (AS API "Registration"): what the homeserver is told about the
 * bridge. Immutable; {@link #toString()} never shows the tokens.
 *
 * @param url              where the homeserver pushes transactions; null means "no traffic"
 * @param userNamespaces   regexes of exclusive user namespaces (the bot, the ghosts)
 * @param aliasNamespaces  regexes of exclusive alias namespaces (gateway rooms)
 */
public record Registration(String id, String url, String asToken, String hsToken, String senderLocalpart,
                           List<String> userNamespaces, List<String> aliasNamespaces, boolean rateLimited,
                           boolean receiveEphemeral) {
    public Registration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(asToken, "as_token");
        Objects.requireNonNull(hsToken, "hs_token");
        Objects.requireNonNull(senderLocalpart, "sender_localpart");
        userNamespaces = List.copyOf(userNamespaces);
        aliasNamespaces = List.copyOf(aliasNamespaces);
    }

    @Override
    public String toString() {
        return "Registration[id=" + id + ", url=" + url + ", sender_localpart=" + senderLocalpart + ", users="
                + userNamespaces + ", aliases=" + aliasNamespaces + ", rate_limited=" + rateLimited
                + ", receive_ephemeral=" + receiveEphemeral + "]";
    }
}
