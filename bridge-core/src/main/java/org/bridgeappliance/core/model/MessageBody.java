package org.bridgeappliance.core.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A message text: always a plain version, optionally an HTML version of the same content.
 * HTML is the interchange format for formatting (Matrix {@code formatted_body}, XHTML-IM, XEP-0393
 * styling converted by the adapter); adapters sanitise HTML at their inbound boundary.
 */
public record MessageBody(String plain, Optional<String> html) {
    public MessageBody {
        Objects.requireNonNull(plain, "plain");
        Objects.requireNonNull(html, "html");
    }

    public static MessageBody plain(String text) {
        return new MessageBody(text, Optional.empty());
    }

    public static MessageBody html(String plain, String html) {
        return new MessageBody(plain, Optional.of(html));
    }
}
