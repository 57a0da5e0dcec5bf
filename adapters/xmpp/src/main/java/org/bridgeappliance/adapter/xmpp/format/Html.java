package org.bridgeappliance.adapter.xmpp.format;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Entities;
import org.jsoup.safety.Safelist;

/**
 * HTML sanitising at the XMPP boundary, both ways: what XMPP clients send (XHTML-IM, XEP-0071) and
 * what goes out as XHTML-IM is reduced to the same small set of formatting elements, links only
 * with http(s)/xmpp/mailto schemes. Scripts, styles, event handlers and images never pass. Pure.
 */
public final class Html {
    private static final Safelist SAFE = new Safelist()
            .addTags("b", "strong", "i", "em", "u", "s", "del", "strike", "code", "pre", "blockquote", "br", "p",
                    "span", "ul", "ol", "li", "a")
            .addAttributes("a", "href")
            .addProtocols("a", "href", "http", "https", "xmpp", "mailto")
            .preserveRelativeLinks(false);

    private Html() {
    }

    /** Sanitised HTML (as Matrix's {@code formatted_body} expects it). */
    public static String sanitize(String html) {
        Document.OutputSettings settings = new Document.OutputSettings().prettyPrint(false)
                .escapeMode(Entities.EscapeMode.base);
        return Jsoup.clean(html, "", SAFE, settings);
    }

    /**
     * Sanitised, well-formed XHTML for an XHTML-IM body: void elements closed ({@code <br/>}), only
     * the five XML entities.
     */
    public static String toXhtml(String html) {
        Document.OutputSettings settings = new Document.OutputSettings().prettyPrint(false)
                .syntax(Document.OutputSettings.Syntax.xml).escapeMode(Entities.EscapeMode.xhtml)
                .charset(java.nio.charset.StandardCharsets.UTF_8);
        return Jsoup.clean(html, "", SAFE, settings);
    }

    /** The text of an HTML fragment, with line breaks for br/p/li. */
    public static String toPlain(String html) {
        Document doc = Jsoup.parseBodyFragment(html);
        doc.select("br").after("\\n");
        doc.select("p, li, blockquote, pre").after("\\n");
        String text = doc.body().text().replace("\\n", "\n");
        return text.strip();
    }
}
