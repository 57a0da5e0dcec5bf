package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Locale;
import org.bridgeappliance.core.model.MessageEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile formatted_body never reaches the core unsanitised (spec's recommended HTML subset). */
class HtmlSanitizerTest extends InboundFixture {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<script>alert(1)</script>hi|hi",
        "<img src=x onerror=alert(1)>|<img>",
        "<img src=\"https://evil/x.png\">|<img>",
        "<img src=\"mxc://matrix.test/abc\" onload=\"x()\">|<img src=\"mxc://matrix.test/abc\">",
        "<a href=\"javascript:alert(1)\">x</a>|<a>x</a>",
        "<a href=\"https://ok.example\" onclick=\"x()\" target=\"_top\">x</a>|<a href=\"https://ok.example\" target=\"_blank\">x</a>",
        "<b style=\"position:fixed\">x</b>|<b>x</b>",
        "<iframe src=\"https://evil\"></iframe>ok|ok",
        "<svg><script>x</script></svg>ok|ok",
        "<span data-mx-spoiler=\"why\" data-mx-color=\"#ff0000\" class=\"x\">s</span>|<span data-mx-spoiler=\"why\" data-mx-color=\"#ff0000\">s</span>",
        "<code class=\"language-js evil\">x</code>|<code>x</code>",
        "<font color=\"red\" face=\"x\">f</font>|<font color=\"red\">f</font>",
        "<style>body{}</style><p>p</p>|<p>p</p>",
        "<form action=\"x\"><input value=\"y\"></form>z|z",
    })
    void removesWhatIsNotInTheSafelist(String dirty, String clean) {
        assertEquals(clean, HtmlSanitizer.sanitize(dirty, false));
    }

    @Test
    void flattensHugeNestingQuickly() {
        String deep = "<div>".repeat(5_000) + "deep" + "</div>".repeat(5_000);
        String clean = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> HtmlSanitizer.sanitize(deep, false));
        assertTrue(clean.contains("deep"));
        int depth = clean.split("<div>", -1).length - 1;
        assertTrue(depth <= HtmlSanitizer.MAX_DEPTH, "depth " + depth);
    }

    @Test
    void refusesOversizedHtmlButKeepsThePlainBody() {
        String huge = "<b>" + "x".repeat(HtmlSanitizer.MAX_INPUT_CHARS) + "</b>";
        assertNull(HtmlSanitizer.sanitize(huge, false));
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.text\",\"body\":\"plain\","
                + "\"format\":\"org.matrix.custom.html\",\"formatted_body\":\"" + huge + "\"}")).get(0);
        assertEquals("plain", m.body().plain());
        assertFalse(m.body().html().isPresent());
    }

    @Test
    void hostileBodyThroughTheConverterIsClean() {
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.text\",\"body\":\"hi\","
                + "\"format\":\"org.matrix.custom.html\",\"formatted_body\":"
                + "\"<p onmouseover=\\\"steal()\\\">hi<script>steal()</script><a href=\\\"JaVaScRiPt:x\\\">l</a></p>\"}"))
                .get(0);
        String html = m.body().html().orElseThrow().toLowerCase(Locale.ROOT);
        assertFalse(html.contains("script"), html);
        assertFalse(html.contains("onmouseover"), html);
        assertEquals("<p>hi<a>l</a></p>", html);
    }

    @Test
    void nothingLeftMeansNoHtml() {
        assertNull(HtmlSanitizer.sanitize("<script>x</script>", false));
        assertNull(HtmlSanitizer.sanitize("", false));
        assertNull(HtmlSanitizer.sanitize(null, false));
    }
}
