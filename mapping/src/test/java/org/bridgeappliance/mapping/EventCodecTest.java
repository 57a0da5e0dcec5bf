package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.RoomEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private final EventCodec codec = new EventCodec();

    static Stream<RoomEvent> allSamples() {
        return Stream.concat(TestEvents.full().stream(), TestEvents.minimal().stream());
    }

    @ParameterizedTest
    @MethodSource("allSamples")
    void roundTripsExactly(RoomEvent event) {
        String json = codec.encode(event);
        assertEquals(event, codec.decode(json), json);
    }

    @Test
    void samplesCoverEveryEventTypeBothWays() {
        Set<String> full = new HashSet<>();
        TestEvents.full().forEach(e -> full.add(EventCodec.typeName(e)));
        Set<String> minimal = new HashSet<>();
        TestEvents.minimal().forEach(e -> minimal.add(EventCodec.typeName(e)));
        Set<String> all = Set.of("message", "edit", "retraction", "reaction", "typing", "read_marker", "membership",
                "room_info");
        assertEquals(all, full);
        assertEquals(all, minimal);
        assertEquals(RoomEvent.class.getPermittedSubclasses().length, all.size(), "a new RoomEvent type needs a codec");
    }

    @Test
    void documentsCarryVersionAndTypeAndOmitAbsentValues() {
        String json = codec.encode(TestEvents.minimal().get(0));
        assertTrue(json.contains("\"v\":1"), json);
        assertTrue(json.contains("\"type\":\"message\""), json);
        assertFalse(json.contains("replyTo"), json);
        assertFalse(json.contains("remoteId"), json);
        assertFalse(json.contains("null"), json);
    }

    @Test
    void decodesAFixedVersion1Document() {
        // Written by hand as an older release would have stored it: the format must stay readable.
        String stored = "{\"v\":1,\"type\":\"message\",\"meta\":{\"origin\":{\"network\":\"xmpp\",\"room\":\"r@muc\"},"
                + "\"sender\":{\"network\":\"xmpp\",\"user\":\"a@x\"},\"profile\":{},\"timestamp\":\"2024-01-01T00:00:00Z\"},"
                + "\"kind\":\"TEXT\",\"body\":{\"plain\":\"hello\"},\"attachments\":[]}";
        MessageEvent event = (MessageEvent) codec.decode(stored);
        assertEquals(MessageKind.TEXT, event.kind());
        assertEquals(MessageBody.plain("hello"), event.body());
        assertEquals(Optional.empty(), event.replyTo());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[]",
            "{\"v\":1,\"type\":\"message\"} trailing",
            "{\"type\":\"typing\"}",
            "{\"v\":2,\"type\":\"typing\"}",
            "{\"v\":\"1\",\"type\":\"typing\"}",
            "{\"v\":1,\"type\":\"java.lang.Runtime\",\"meta\":{}}",
            "{\"v\":1,\"type\":\"typing\"}",
            "{\"v\":1,\"type\":\"typing\",\"meta\":{\"origin\":{\"network\":\"xmpp\",\"room\":\"r\"},"
                    + "\"sender\":{\"network\":\"xmpp\",\"user\":\"a\"},\"profile\":{},\"timestamp\":\"yesterday\"},\"typing\":true}",
            "{\"v\":1,\"type\":\"typing\",\"meta\":{\"origin\":{\"network\":\"xmpp\",\"room\":\"r\"},"
                    + "\"sender\":{\"network\":\"matrix\",\"user\":\"a\"},\"profile\":{},\"timestamp\":\"2024-01-01T00:00:00Z\"},"
                    + "\"typing\":true}",
            "{\"v\":1,\"type\":\"typing\",\"meta\":{\"origin\":{\"network\":\"xmpp\",\"room\":\"r\"},"
                    + "\"sender\":{\"network\":\"xmpp\",\"user\":\"a\"},\"profile\":{},\"timestamp\":\"2024-01-01T00:00:00Z\"},"
                    + "\"typing\":\"yes\"}",
            "{\"v\":1,\"type\":\"membership\",\"meta\":{\"origin\":{\"network\":\"xmpp\",\"room\":\"r\"},"
                    + "\"sender\":{\"network\":\"xmpp\",\"user\":\"a\"},\"profile\":{},\"timestamp\":\"2024-01-01T00:00:00Z\"},"
                    + "\"subject\":{\"network\":\"xmpp\",\"user\":\"b\"},\"membership\":\"EXPLODE\"}",
            "{\"v\":1,\"type\":\"read_marker\",\"meta\":{\"origin\":{\"network\":\"xmpp\",\"room\":\"r\"},"
                    + "\"sender\":{\"network\":\"xmpp\",\"user\":\"a\"},\"profile\":{},\"timestamp\":\"2024-01-01T00:00:00Z\"},"
                    + "\"upTo\":\"  \"}"
    })
    void rejectsMalformedDocumentsWithACodecException(String json) {
        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(json));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void aClassNameInTheDocumentIsNeverInstantiated() {
        // No default typing: "@class" and friends are plain unknown fields, ignored.
        String json = codec.encode(TestEvents.minimal().get(5)).replaceFirst("\\{",
                "{\"@class\":\"java.net.URL\",\"@type\":\"x\",");
        assertEquals(TestEvents.minimal().get(5), codec.decode(json));
    }

    @Test
    void errorMessagesDoNotQuoteTheMessageText() {
        String secret = "my secret password is hunter2";
        String json = codec.encode(new MessageEvent(TestEvents.minimalMeta(), MessageKind.TEXT, MessageBody.plain(secret),
                List.of(), Optional.empty()));
        String broken = json.substring(0, json.length() - 5);
        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(broken));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void refusesOversizedEventsInBothDirections() {
        String huge = "x".repeat(EventCodec.MAX_DOCUMENT_LENGTH);
        RoomEvent event = new MessageEvent(TestEvents.minimalMeta(), MessageKind.TEXT, MessageBody.plain(huge), List.of(),
                Optional.empty());
        assertThrows(EventCodecException.class, () -> codec.encode(event));
        assertThrows(EventCodecException.class, () -> codec.decode(huge + "x"));
    }
}
