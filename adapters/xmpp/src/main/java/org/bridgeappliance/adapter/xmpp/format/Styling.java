package org.bridgeappliance.adapter.xmpp.format;

import java.util.Optional;

/**
 * XEP-0393 Message Styling to HTML: {@code *strong*}, {@code _emphasis_}, {@code ~strike~},
 * {@code `pre`} spans, {@code ```} preformatted blocks and {@code >} quotes. Follows the XEP's span
 * rules: a span opens at the start of a line or after whitespace, its first and last characters are
 * not whitespace, it does not cross lines, and text inside {@code `…`} is not styled further.
 * Pure and thread-safe.
 */
public final class Styling {
    private Styling() {
    }

    /** The HTML for {@code text}, or empty when it contains no styling (plain is enough then). */
    public static Optional<String> toHtml(String text) {
        StringBuilder html = new StringBuilder(text.length() + 32);
        boolean styled = false;
        String[] lines = text.split("\n", -1);
        int i = 0;
        boolean first = true;
        while (i < lines.length) {
            String line = lines[i];
            if (line.startsWith("```")) {
                // Preformatted block until a line that is exactly ``` or the end of the message.
                StringBuilder pre = new StringBuilder();
                int j = i + 1;
                while (j < lines.length && !lines[j].equals("```")) {
                    if (pre.length() > 0) {
                        pre.append('\n');
                    }
                    pre.append(lines[j]);
                    j++;
                }
                if (!first) {
                    html.append("<br/>");
                }
                html.append("<pre><code>").append(escape(pre.toString())).append("</code></pre>");
                styled = true;
                first = true;
                i = Math.min(j + 1, lines.length);
                continue;
            }
            if (line.startsWith(">")) {
                StringBuilder quote = new StringBuilder();
                int j = i;
                while (j < lines.length && lines[j].startsWith(">")) {
                    String content = lines[j].substring(1);
                    if (content.startsWith(" ")) {
                        content = content.substring(1);
                    }
                    if (quote.length() > 0) {
                        quote.append('\n');
                    }
                    quote.append(content);
                    j++;
                }
                if (!first) {
                    html.append("<br/>");
                }
                html.append("<blockquote>").append(toHtml(quote.toString()).orElseGet(() -> escapeLines(quote.toString())))
                        .append("</blockquote>");
                styled = true;
                first = true;
                i = j;
                continue;
            }
            if (!first) {
                html.append("<br/>");
            }
            SpanResult spans = spans(line);
            styled |= spans.styled;
            html.append(spans.html);
            first = false;
            i++;
        }
        return styled ? Optional.of(html.toString()) : Optional.empty();
    }

    private record SpanResult(String html, boolean styled) {
    }

    private static SpanResult spans(String line) {
        StringBuilder out = new StringBuilder(line.length() + 16);
        boolean styled = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (isDirective(c) && (i == 0 || isOpeningBoundary(line.charAt(i - 1)))
                    && i + 1 < line.length() && !Character.isWhitespace(line.charAt(i + 1))) {
                int close = findClose(line, i, c);
                if (close > i + 1) {
                    String inner = line.substring(i + 1, close);
                    String tag = switch (c) {
                        case '*' -> "strong";
                        case '_' -> "em";
                        case '~' -> "s";
                        default -> "code";
                    };
                    String innerHtml = c == '`' ? escape(inner) : spans(inner).html;
                    out.append('<').append(tag).append('>').append(innerHtml).append("</").append(tag).append('>');
                    styled = true;
                    i = close + 1;
                    continue;
                }
            }
            out.append(escape(String.valueOf(c)));
            i++;
        }
        return new SpanResult(out.toString(), styled);
    }

    private static int findClose(String line, int open, char directive) {
        for (int j = open + 2; j < line.length(); j++) {
            if (line.charAt(j) == directive && !Character.isWhitespace(line.charAt(j - 1))
                    && (j + 1 == line.length() || !Character.isLetterOrDigit(line.charAt(j + 1)))) {
                return j;
            }
        }
        return -1;
    }

    private static boolean isDirective(char c) {
        return c == '*' || c == '_' || c == '~' || c == '`';
    }

    private static boolean isOpeningBoundary(char previous) {
        return Character.isWhitespace(previous) || isDirective(previous) || previous == '(' || previous == '"';
    }

    private static String escapeLines(String text) {
        return escape(text).replace("\n", "<br/>");
    }

    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
