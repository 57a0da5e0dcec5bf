package org.bridgeappliance.adapter.sip.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.junit.jupiter.api.Test;

class SipOutboundConverterTest {
    private static final EventMeta META = EventMeta.of(Portal.of("matrix", "!r:hs"), UserRef.of("matrix", "@alice:hs"),
            "$e", Instant.EPOCH);

    private static MessageEvent msg(MessageKind kind, String text) {
        return new MessageEvent(META, kind, MessageBody.plain(text), List.of(), Optional.empty());
    }

    @Test
    void roomLinesNameTheSender() {
        assertEquals("[Alice] hi", SipOutboundConverter.line(msg(MessageKind.TEXT, "hi"), Optional.of("Alice")));
        assertEquals("hi", SipOutboundConverter.line(msg(MessageKind.TEXT, "hi"), Optional.empty()));
        assertEquals("* Alice waves", SipOutboundConverter.line(msg(MessageKind.EMOTE, "waves"), Optional.of("Alice")));
        assertEquals("*** Alice deleted a message",
                SipOutboundConverter.line(msg(MessageKind.NOTICE, "Alice deleted a message"), Optional.of("Alice")));
        assertEquals("[A very long display nam…] x",
                SipOutboundConverter.line(msg(MessageKind.TEXT, "x"), Optional.of("A very long display name indeed")));
        assertEquals("[x y] z", SipOutboundConverter.line(msg(MessageKind.TEXT, "z"), Optional.of("[x]\ny")));
    }

    @Test
    void theRoutersReplyQuoteBecomesOneLine() {
        assertEquals("[Alice] (re Bob: \"first words\") answer",
                SipOutboundConverter.line(msg(MessageKind.TEXT, "> Bob: first words\nanswer"), Optional.of("Alice")));
        String longQuote = "> Bob: " + "word ".repeat(20) + "\nanswer";
        assertTrue(SipOutboundConverter.line(msg(MessageKind.TEXT, longQuote), Optional.empty())
                .startsWith("(re Bob: \"word word word word word word word word\u2026\") answer"));
    }

    @Test
    void shortTextIsOnePart() {
        assertEquals(List.of("short"), SipOutboundConverter.split("short", 1000));
    }

    @Test
    void longTextIsSplitOnUtf8BoundariesWithMarkers() {
        String text = "ä✓😀 ".repeat(400); // 2+3+4+1 = 10 bytes each, 4000 bytes
        List<String> parts = SipOutboundConverter.split(text, 1000);
        assertEquals(5, parts.size());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= 1000, "part " + i);
            String marker = "(" + (i + 1) + "/" + parts.size() + ") ";
            assertTrue(p.startsWith(marker), p.substring(0, 10));
            joined.append(p.substring(marker.length()));
            // no lone surrogates: every part re-encodes to itself
            assertEquals(p, new String(p.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
        assertEquals(text, joined.toString());
    }

    @Test
    void manyPartsWidenTheMarker() {
        String text = "x".repeat(250 * 120);
        List<String> parts = SipOutboundConverter.split(text, 250);
        assertTrue(parts.size() > 99);
        assertTrue(parts.stream().allMatch(p -> p.getBytes(StandardCharsets.UTF_8).length <= 250));
        assertTrue(parts.get(parts.size() - 1).startsWith("(" + parts.size() + "/" + parts.size() + ") "));
    }
}
