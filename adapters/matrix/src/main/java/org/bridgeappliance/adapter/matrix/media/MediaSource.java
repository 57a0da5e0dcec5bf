package org.bridgeappliance.adapter.matrix.media;

import java.util.Optional;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;

/**
 * What {@link MediaController} needs of the Matrix adapter, and nothing more: the signer of public media links
 * and a way to download media, while the adapter runs. The adapter provides it; the controller never sees it.
 */
public interface MediaSource {
    /** The signer of public media links, once started. */
    Optional<MediaLinks> mediaLinks();

    /** Downloads through the authenticated media API, once started. */
    Optional<Downloads> downloads();

    /** Opens one download (see {@link MatrixClient#openDownload}). */
    @FunctionalInterface
    interface Downloads {
        /** Streams {@code mxc}, at most {@code maxBytes}; throws {@code MatrixHttpException} as the client does. */
        MatrixClient.MediaStream open(String mxc, long maxBytes);
    }
}
