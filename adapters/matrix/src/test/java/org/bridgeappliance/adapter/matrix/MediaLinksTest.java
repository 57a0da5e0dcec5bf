package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.media.MediaLinks;
import org.junit.jupiter.api.Test;

/** Signed public links to authenticated Matrix media (MSC3916): only links the bridge made verify. */
class MediaLinksTest {
    final MediaLinks links = new MediaLinks("https://bridge.example/", "hs-secret");

    @Test
    void linkRoundTrips() {
        URI link = links.link("mxc://matrix.test/AbC_1-2");
        assertTrue(link.toString().startsWith("https://bridge.example/_bridge/matrix/media/matrix.test/AbC_1-2/"), link.toString());
        String signature = link.getPath().substring(link.getPath().lastIndexOf('/') + 1);
        assertEquals(Optional.of("mxc://matrix.test/AbC_1-2"), links.verify("matrix.test", "AbC_1-2", signature));
    }

    @Test
    void forgedOrForeignSignaturesFail() {
        URI link = links.link("mxc://matrix.test/abc");
        String signature = link.getPath().substring(link.getPath().lastIndexOf('/') + 1);
        assertEquals(Optional.empty(), links.verify("matrix.test", "abd", signature));
        assertEquals(Optional.empty(), links.verify("evil.test", "abc", signature));
        assertEquals(Optional.empty(), links.verify("matrix.test", "abc", signature.substring(1) + "A"));
        assertEquals(Optional.empty(), new MediaLinks("https://bridge.example", "other-secret")
                .verify("matrix.test", "abc", signature));
        assertEquals(Optional.empty(), links.verify("matrix.test", "../etc", signature));
        assertThrows(IllegalArgumentException.class, () -> links.link("https://not/mxc"));
    }
}
