package org.bridgeappliance.adapter.sip.convert;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;

/**
 * Canonical messages as the one line a pager-mode phone shows (RFC 3428 {@code text/plain}), and the
 * split of long bodies. Pure.
 *
 * <p>The router has already applied its fallbacks for a plain-text target (edits become {@code "* text"},
 * replies a {@code "> Author: first line"} quote, reactions and retractions notices, attachments their
 * links). Here they take their phone form: in a room {@code [Alice] text} (Kamailio {@code imc}'s
 * convention, so replies to the room URI go back into the room); a quote becomes
 * {@code (re Bob: "first words…") text}; notices {@code *** text}; emotes {@code * Alice waves}.
 */
public final class SipOutboundConverter {
    /** Longest sender name shown in {@code [Name]}. */
    public static final int MAX_NAME_CHARS = 24;
    private static final int QUOTE_WORDS_CHARS = 40;

    private SipOutboundConverter() {
    }

    /**
     * The line for {@code message}.
     *
     * @param senderName the sender's display name (shown in rooms only), empty in a 1:1 chat
     */
    public static String line(MessageEvent message, Optional<String> senderName) {
        String text = requote(message.body().plain());
        Optional<String> name = senderName.map(SipOutboundConverter::shortName);
        if (message.kind() == MessageKind.NOTICE) {
            return "*** " + text;
        }
        if (message.kind() == MessageKind.EMOTE) {
            return "* " + name.orElse("") + (name.isPresent() ? " " : "") + text;
        }
        return name.map(n -> "[" + n + "] " + text).orElse(text);
    }

    /** A display name cut to {@value #MAX_NAME_CHARS} characters, without brackets or line breaks. */
    public static String shortName(String name) {
        String clean = name.replaceAll("[\\[\\]\\r\\n\\t]", " ").replaceAll(" {2,}", " ").strip();
        if (clean.isEmpty()) {
            clean = "?";
        }
        return clean.codePointCount(0, clean.length()) <= MAX_NAME_CHARS ? clean
                : clean.substring(0, clean.offsetByCodePoints(0, MAX_NAME_CHARS - 1)) + "…";
    }

    /** The router's reply quote ({@code "> Bob: first line\ntext"}) as {@code (re Bob: "first words…") text}. */
    static String requote(String text) {
        if (!text.startsWith("> ")) {
            return text;
        }
        int nl = text.indexOf('\n');
        if (nl < 0) {
            return text;
        }
        String quote = text.substring(2, nl);
        String rest = text.substring(nl + 1);
        int colon = quote.indexOf(": ");
        if (colon <= 0) {
            return text;
        }
        String who = quote.substring(0, colon);
        String words = quote.substring(colon + 2).strip();
        if (words.codePointCount(0, words.length()) > QUOTE_WORDS_CHARS) {
            words = words.substring(0, words.offsetByCodePoints(0, QUOTE_WORDS_CHARS)).strip() + "…";
        }
        return "(re " + who + ": \"" + words + "\") " + rest;
    }

    /**
     * Splits {@code text} into parts of at most {@code maxBytes} UTF-8 bytes each, never inside a code point
     * (nor a surrogate pair), preferring to break after a space or line break in the last quarter of a part.
     * With more than one part each starts with {@code (i/n) }, counted within {@code maxBytes}.
     */
    public static List<String> split(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return List.of(text);
        }
        // The marker's width depends on n; "(99/99) " is 8 bytes, enough up to 99 parts, then recompute.
        for (int markerBytes = 8; ; markerBytes += 2) {
            List<String> chunks = chunks(text, maxBytes - markerBytes);
            String widest = "(" + chunks.size() + "/" + chunks.size() + ") ";
            if (widest.length() <= markerBytes) {
                List<String> out = new ArrayList<>(chunks.size());
                for (int i = 0; i < chunks.size(); i++) {
                    out.add("(" + (i + 1) + "/" + chunks.size() + ") " + chunks.get(i));
                }
                return out;
            }
        }
    }

    private static List<String> chunks(String text, int maxBytes) {
        List<String> out = new ArrayList<>();
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder();
        int start = 0;
        while (start < text.length()) {
            CharBuffer in = CharBuffer.wrap(text, start, text.length());
            ByteBuffer buf = ByteBuffer.allocate(maxBytes);
            CoderResult r = enc.reset().encode(in, buf, true);
            int end = in.position(); // the encoder stops before a code point that does not fit
            if (r.isUnderflow() && end == text.length()) {
                out.add(text.substring(start));
                break;
            }
            int cut = end;
            for (int i = end - 1; i > start + (end - start) * 3 / 4; i--) {
                char c = text.charAt(i);
                if (c == ' ' || c == '\n') {
                    cut = i + 1;
                    break;
                }
            }
            if (cut <= start) {
                throw new IllegalArgumentException("part size too small: " + maxBytes);
            }
            out.add(text.substring(start, cut));
            start = cut;
        }
        return out;
    }
}
