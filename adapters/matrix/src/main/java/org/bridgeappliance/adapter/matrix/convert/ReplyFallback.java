package org.bridgeappliance.adapter.matrix.convert;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jsoup.nodes.Entities;

/**
 * Matrix rich-reply fallbacks (CS API "Rich replies"): stripped from incoming replies so that the
 * quote never leaks into other networks (bifrost #228), and produced on outgoing replies for
 * clients that do not render {@code m.in_reply_to} themselves. Pure.
 */
public final class ReplyFallback {
    private ReplyFallback() {
    }

    /** Removes the leading {@code > } quote lines of a reply's plain body and the blank line after them. */
    public static String stripPlain(String body) {
        if (!body.startsWith(">")) {
            return body;
        }
        String[] lines = body.split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].startsWith(">")) {
            i++;
        }
        if (i < lines.length && lines[i].isEmpty()) {
            i++;
        }
        return String.join("\n", java.util.Arrays.copyOfRange(lines, i, lines.length));
    }

    /** The replied-to message, as far as the bridge could fetch it. */
    public record Quoted(String roomId, String eventId, String sender, Optional<String> plain,
                         Optional<String> html) {
    }

    /** {@code > <@sender> first line} / {@code > further lines}, then a blank line, then the reply. */
    public static String plain(Quoted quoted, String reply) {
        StringBuilder out = new StringBuilder();
        String[] lines = quoted.plain().map(ReplyFallback::stripPlain).orElse("").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            out.append(i == 0 ? "> <" + quoted.sender() + "> " : "> ").append(lines[i]).append('\n');
        }
        return out.append('\n').append(reply).toString();
    }

    /** The {@code <mx-reply>} block followed by the reply's HTML. */
    public static String html(Quoted quoted, String replyHtml) {
        String quotedHtml = quoted.html().orElseGet(() -> Entities.escape(quoted.plain().orElse(""))
                .replace("\n", "<br>"));
        return "<mx-reply><blockquote><a href=\"https://matrix.to/#/" + link(quoted.roomId()) + "/"
                + link(quoted.eventId()) + "\">In reply to</a> <a href=\"https://matrix.to/#/" + link(quoted.sender())
                + "\">" + Entities.escape(quoted.sender()) + "</a><br>" + quotedHtml + "</blockquote></mx-reply>"
                + replyHtml;
    }

    private static String link(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
