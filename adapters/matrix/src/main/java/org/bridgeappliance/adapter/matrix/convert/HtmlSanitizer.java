package org.bridgeappliance.adapter.matrix.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Sanitises Matrix {@code formatted_body} HTML at the adapter's boundary, so that nothing hostile
 * (scripts, event handlers, {@code javascript:} links, styles, unbounded nesting) reaches the core.
 *
 * <p>The allowed tags and attributes are the ones the Matrix spec recommends for
 * {@code org.matrix.custom.html} (CS API, m.room.message "formatted_body"): links only to http(s),
 * ftp, mailto and magnet; images only from {@code mxc://}; {@code class} on {@code code} only as
 * {@code language-*}. Nesting deeper than {@link #MAX_DEPTH} is flattened (the spec advises
 * clients to limit nesting to 100) and inputs longer than {@link #MAX_INPUT_CHARS} are refused.
 * Pure and thread-safe.
 */
public final class HtmlSanitizer {
    public static final int MAX_DEPTH = 32;
    /** A Matrix event is at most 64 KiB; a longer formatted body cannot be legitimate. */
    public static final int MAX_INPUT_CHARS = 65_536;

    private static final Pattern LANGUAGE_CLASS = Pattern.compile("language-[A-Za-z0-9_+#-]{1,40}");
    private static final Safelist SAFELIST = new Safelist()
            .addTags("font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup",
                    "sub", "li", "b", "i", "u", "strong", "em", "s", "strike", "code", "hr", "br", "div", "table",
                    "thead", "tbody", "tr", "th", "td", "caption", "pre", "span", "img", "details", "summary")
            .addAttributes("font", "data-mx-bg-color", "data-mx-color", "color")
            .addAttributes("span", "data-mx-bg-color", "data-mx-color", "data-mx-spoiler")
            .addAttributes("a", "href", "target")
            .addAttributes("img", "width", "height", "alt", "title", "src")
            .addAttributes("ol", "start")
            .addAttributes("code", "class")
            .addProtocols("a", "href", "https", "http", "ftp", "mailto", "magnet")
            .addProtocols("img", "src", "mxc");

    private HtmlSanitizer() {
    }

    /**
     * Returns the safe HTML of {@code html}, or null when nothing is left or the input is too large
     * (the caller then uses the plain body alone).
     *
     * @param stripReplyFallback remove the {@code <mx-reply>} quote of a rich reply first (it must
     *                           go as a whole: the safelist would keep its text)
     */
    public static String sanitize(String html, boolean stripReplyFallback) {
        if (html == null || html.isEmpty() || html.length() > MAX_INPUT_CHARS) {
            return null;
        }
        Document dirty = Jsoup.parseBodyFragment(html);
        if (stripReplyFallback) {
            dirty.select("mx-reply").remove();
        }
        Document clean = new Cleaner(SAFELIST).clean(dirty);
        for (Element code : clean.select("code[class]")) {
            if (!LANGUAGE_CLASS.matcher(code.attr("class")).matches()) {
                code.removeAttr("class");
            }
        }
        for (Element link : clean.select("a[target]")) {
            link.attr("target", "_blank");
        }
        flattenDeepNesting(clean.body());
        clean.outputSettings().prettyPrint(false);
        String out = clean.body().html();
        return out.isBlank() ? null : out;
    }

    /** The text of an HTML fragment, for when a plain body must be derived. */
    public static String text(String html) {
        return Jsoup.parseBodyFragment(html).body().wholeText();
    }

    private static void flattenDeepNesting(Element body) {
        List<Element> tooDeep = new ArrayList<>();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (depth > MAX_DEPTH && node instanceof Element element) {
                    tooDeep.add(element);
                }
            }
        }, body);
        for (Element element : tooDeep) {
            element.unwrap();
        }
    }
}
