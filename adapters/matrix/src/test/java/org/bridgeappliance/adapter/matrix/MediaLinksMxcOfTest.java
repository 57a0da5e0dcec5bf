package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.media.MediaLinks;
import org.junit.jupiter.api.Test;

/** The admin UI's avatars: a signed media link is turned back into its mxc URI only when it is really ours. */
class MediaLinksMxcOfTest {
    private final MediaLinks links = new MediaLinks("https://bridge.example/", "hs-secret");

    @Test
    void aLinkWeMadeNamesItsMxc() {
        URI link = links.link("mxc://matrix.example/abc123");
        assertEquals(Optional.of("mxc://matrix.example/abc123"), links.mxcOf(link));
    }

    @Test
    void tamperedForeignOrMalformedLinksNameNothing() {
        String good = links.link("mxc://matrix.example/abc123").toString();
        assertEquals(Optional.empty(), links.mxcOf(URI.create(good.replace("abc123", "abc124"))), "signature");
        assertEquals(Optional.empty(), links.mxcOf(URI.create(good.replace("bridge.example", "evil.example"))));
        assertEquals(Optional.empty(), new MediaLinks("https://bridge.example", "other-secret").mxcOf(URI.create(good)));
        assertEquals(Optional.empty(), links.mxcOf(URI.create("https://bridge.example/_bridge/matrix/media/x/y")));
        assertEquals(Optional.empty(), links.mxcOf(URI.create(good + "/extra")));
    }
}
