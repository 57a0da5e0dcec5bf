package org.bridgeappliance.adapter.xmpp.avatar;

import java.util.Optional;

/**
 * What {@link AvatarController} needs of the XMPP adapter, and nothing more: its avatar store while it runs.
 * The adapter's bean provides it; the controller never sees the adapter.
 */
public interface AvatarSource {
    /** The running adapter's avatars; empty while the adapter is disabled or not started (the endpoint says 503). */
    Optional<XmppAvatars> avatars();
}
