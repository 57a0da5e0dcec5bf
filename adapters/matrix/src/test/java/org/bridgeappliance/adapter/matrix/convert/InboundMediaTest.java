package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CS API m.image, m.file, m.audio, m.video (with v1.10 captions) and m.sticker. */
class InboundMediaTest extends InboundFixture {
    {
        lookups = new MatrixInboundConverter.Lookups() {
            @Override
            public URI mediaUri(String mxc) {
                return URI.create("https://bridge.example/media/" + mxc.substring(6));
            }
        };
    }

    @ParameterizedTest
    @CsvSource({"m.image,IMAGE", "m.file,FILE", "m.audio,AUDIO", "m.video,VIDEO"})
    void mediaBecomesAnAttachment(String msgtype, Attachment.Kind kind) {
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"" + msgtype + "\",\"body\":\"cat.png\","
                + "\"url\":\"mxc://matrix.test/abc123\",\"info\":{\"mimetype\":\"image/png\",\"size\":1234}}")).get(0);
        assertEquals(List.of(new Attachment(kind, URI.create("https://bridge.example/media/matrix.test/abc123"),
                "image/png", Optional.of("cat.png"), OptionalLong.of(1234))), m.attachments());
        assertEquals(MessageBody.plain(""), m.body());
    }

    @Test
    void captionIsTheBodyWhenAFilenameIsGiven() {
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.image\",\"body\":\"look at this\","
                + "\"filename\":\"cat.png\",\"url\":\"mxc://matrix.test/abc\"}")).get(0);
        assertEquals(MessageBody.plain("look at this"), m.body());
        assertEquals(Optional.of("cat.png"), m.attachments().get(0).fileName());
        assertEquals("application/octet-stream", m.attachments().get(0).mimeType());
    }

    @Test
    void encryptedOrBrokenMediaYieldsNothing() {
        assertEquals(List.of(), convert(message("{\"msgtype\":\"m.file\",\"body\":\"x\",\"file\":{\"url\":\"mxc://a/b\"}}")));
        assertEquals(List.of(), convert(message("{\"msgtype\":\"m.file\",\"body\":\"x\",\"url\":\"https://evil/x\"}")));
        assertEquals(List.of(), convert(message("{\"msgtype\":\"m.file\",\"body\":\"x\",\"url\":\"mxc://a/../b\"}")));
    }

    @Test
    void stickerIsAnImage() {
        MessageEvent m = (MessageEvent) convert("{\"type\":\"m.sticker\",\"room_id\":\"!room:matrix.test\","
                + "\"sender\":\"@alice:matrix.test\",\"event_id\":\"$s\",\"content\":{\"body\":\"wave\","
                + "\"url\":\"mxc://matrix.test/st\",\"info\":{\"mimetype\":\"image/webp\"}}}").get(0);
        assertEquals(Attachment.Kind.IMAGE, m.attachments().get(0).kind());
        assertEquals("image/webp", m.attachments().get(0).mimeType());
    }
}
