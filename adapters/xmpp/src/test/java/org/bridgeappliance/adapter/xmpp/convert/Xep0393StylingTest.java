package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.format.Styling;
import org.bridgeappliance.core.model.MessageEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** XEP-0393 message styling to HTML (and XEP-0071 XHTML-IM, which wins when present). */
class Xep0393StylingTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "*bold* text|<strong>bold</strong> text",
        "an _emphasis_ here|an <em>emphasis</em> here",
        "~gone~|<s>gone</s>",
        "use `*raw*` here|use <code>*raw*</code> here",
        "*_both_*|<strong><em>both</em></strong>",
        "a < b *and* c|a &lt; b <strong>and</strong> c",
    })
    void spans(String text, String html) {
        assertEquals(Optional.of(html), Styling.toHtml(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"plain text", "snake_case_name", "2 * 3 * 4", "* not bold*", "*not bold *"})
    void notStyled(String text) {
        assertEquals(Optional.empty(), Styling.toHtml(text));
    }

    @Test
    void blocks() {
        assertEquals(Optional.of("<blockquote>quoted<br/>more</blockquote>answer"),
                Styling.toHtml("> quoted\n> more\nanswer"));
        assertEquals(Optional.of("<pre><code>x = *y*\n&lt;z&gt;</code></pre>"), Styling.toHtml("```\nx = *y*\n<z>\n```"));
    }

    @Test
    void nestedQuotes() {
        assertEquals(Optional.of("<blockquote>a<br/><blockquote>b <strong>c</strong></blockquote>d</blockquote>"),
                Styling.toHtml("> a\n>> b *c*\n> d"));
        assertEquals(Optional.of("<blockquote><blockquote><strong>x</strong></blockquote></blockquote>after"),
                Styling.toHtml("> > *x*\nafter"));
    }

    /**
     * Issue 9 item 2: Styling recursed once per {@code >} and copied the text at each level: 8 KB of {@code >}
     * overflowed the stack, 200 KB ran a 1 GB heap out of memory. Quote depth and input length are capped now.
     */
    @Test
    void quoteBombIsRenderedIterativelyWithCappedDepth() {
        String html = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Styling.toHtml(">".repeat(8 * 1024)))
                .orElseThrow();
        assertEquals(Styling.MAX_QUOTE_DEPTH, html.split("<blockquote>", -1).length - 1, "quote levels");
        assertTrue(html.contains("&gt;".repeat(100)), "deeper quote markers stay text");
        assertEquals(Optional.empty(), assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> Styling.toHtml(">".repeat(200 * 1024))), "too long to style: plain");
        String lines = "> q\n".repeat(5000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Styling.toHtml(lines));
    }

    @Test
    void unclosedSpansOnALongLineStayCheap() {
        String line = "*a _b ~c ".repeat(Styling.MAX_STYLED_CHARS / 9);
        long start = System.nanoTime();
        assertEquals(Optional.empty(), Styling.toHtml(line));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "took too long");
    }

    @Test
    void styledBodyBecomesHtmlAndUnstyledHintIsHonoured() {
        MessageEvent m = (MessageEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='1'>"
                + "<body>*hi*</body></message>", DM, "1"));
        assertEquals("*hi*", m.body().plain());
        assertEquals(Optional.of("<strong>hi</strong>"), m.body().html());
        MessageEvent raw = (MessageEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='2'>"
                + "<body>*hi*</body><unstyled xmlns='urn:xmpp:styling:0'/></message>", DM, "2"));
        assertEquals(Optional.empty(), raw.body().html());
    }

    @Test
    void xhtmlImIsSanitised() {
        MessageEvent m = (MessageEvent) only(in("""
                <message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='3'><body>hello world</body>
                <html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>
                <p>hello <strong onclick='evil()'>world</strong><script>alert(1)</script>
                <a href='javascript:alert(1)'>x</a><a href='https://ok.test/'>y</a><img src='https://t.test/p.png'/></p>
                </body></html></message>""", DM, "3"));
        String html = m.body().html().orElseThrow();
        assertTrue(html.contains("<strong>world</strong>"), html);
        assertTrue(html.contains("<a href=\"https://ok.test/\">y</a>"), html);
        for (String bad : List.of("onclick", "script", "javascript", "img")) {
            assertFalse(html.contains(bad), html);
        }
    }
}
