package org.bridgeappliance.adapter.xmpp.format;

import java.util.ArrayDeque;
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

    /**
     * Longest text that is styled; longer text is sent plain (span matching scans a line per directive, and
     * nobody formats a novel). Bodies are bounded by the stanza size limit before they get here.
     */
    public static final int MAX_STYLED_CHARS = 32 * 1024;
    /** Deepest block quote rendered as nested quotes; further {@code >} stay text (XEP-0393 §5.1.2 sets no limit). */
    public static final int MAX_QUOTE_DEPTH = 8;

    /**
     * The HTML for {@code text}, or empty when it contains no styling (plain is enough then) or is longer than
     * {@link #MAX_STYLED_CHARS}. Iterative: nested quotes are an explicit stack at most {@link #MAX_QUOTE_DEPTH}
     * deep, so hostile input ({@code >>>>…}) costs neither stack nor more than that many copies of the text.
     */
    public static Optional<String> toHtml(String text) {
        if (text.length() > MAX_STYLED_CHARS) {
            return Optional.empty();
        }
        ArrayDeque<Block> open = new ArrayDeque<>();
        Block block = new Block(text.split("\n", -1), text.length());
        while (true) {
            if (block.i < block.lines.length) {
                String[] quoted = block.step(open.size() < MAX_QUOTE_DEPTH);
                if (quoted != null) {
                    open.push(block);
                    block = new Block(quoted, text.length());
                }
                continue;
            }
            if (open.isEmpty()) {
                return block.styled ? Optional.of(block.html.toString()) : Optional.empty();
            }
            // A quote ends: its HTML goes into the enclosing block (an unstyled quote's HTML is its escaped lines).
            Block outer = open.pop();
            outer.html.append("<blockquote>").append(block.html).append("</blockquote>");
            block = outer;
        }
    }

    /** One level of {@link #toHtml}: the lines of the message or of a quote, and the HTML made of them so far. */
    private static final class Block {
        final String[] lines;
        final StringBuilder html;
        int i;
        boolean first = true;
        boolean styled;

        Block(String[] lines, int capacity) {
            this.lines = lines;
            this.html = new StringBuilder(capacity + 32);
        }

        /**
         * Renders the next line or block; returns the lines of a quote that starts here (to be rendered as a
         * nested block, then appended in a blockquote), or null.
         */
        String[] step(boolean mayNest) {
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
                separate();
                html.append("<pre><code>").append(escape(pre.toString())).append("</code></pre>");
                styled = true;
                first = true;
                i = Math.min(j + 1, lines.length);
                return null;
            }
            if (mayNest && line.startsWith(">")) {
                int j = i;
                while (j < lines.length && lines[j].startsWith(">")) {
                    j++;
                }
                String[] quoted = new String[j - i];
                for (int k = i; k < j; k++) {
                    String content = lines[k].substring(1);
                    quoted[k - i] = content.startsWith(" ") ? content.substring(1) : content;
                }
                separate();
                styled = true;
                first = true;
                i = j;
                return quoted;
            }
            separate();
            SpanResult spans = spans(line);
            styled |= spans.styled;
            html.append(spans.html);
            first = false;
            i++;
            return null;
        }

        private void separate() {
            if (!first) {
                html.append("<br/>");
            }
        }
    }

    private record SpanResult(String html, boolean styled) {
    }

    private static SpanResult spans(String line) {
        StringBuilder out = new StringBuilder(line.length() + 16);
        boolean styled = false;
        int[][] closers = closers(line);
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (isDirective(c) && (i == 0 || isOpeningBoundary(line.charAt(i - 1)))
                    && i + 1 < line.length() && !Character.isWhitespace(line.charAt(i + 1))) {
                int close = i + 2 < line.length() ? closers[DIRECTIVES.indexOf(c)][i + 2] : -1;
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

    private static final String DIRECTIVES = "*_~`";

    /**
     * For each directive (in {@link #DIRECTIVES} order) and each position j, the first position at or after j
     * that can close a span of it (the directive, not after whitespace, not before a letter or digit), or -1.
     * One backward pass per line: looking closers up is what made unclosed spans quadratic.
     */
    private static int[][] closers(String line) {
        int n = line.length();
        int[][] next = new int[DIRECTIVES.length()][n + 1];
        for (int d = 0; d < DIRECTIVES.length(); d++) {
            next[d][n] = -1;
        }
        for (int j = n - 1; j >= 0; j--) {
            char c = line.charAt(j);
            boolean closes = j > 0 && !Character.isWhitespace(line.charAt(j - 1))
                    && (j + 1 == n || !Character.isLetterOrDigit(line.charAt(j + 1)));
            for (int d = 0; d < DIRECTIVES.length(); d++) {
                next[d][j] = closes && c == DIRECTIVES.charAt(d) ? j : next[d][j + 1];
            }
        }
        return next;
    }

    private static boolean isDirective(char c) {
        return c == '*' || c == '_' || c == '~' || c == '`';
    }

    private static boolean isOpeningBoundary(char previous) {
        return Character.isWhitespace(previous) || isDirective(previous) || previous == '(' || previous == '"';
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
