package org.bridgeappliance.adapter.xmpp.avatar;

import java.util.Locale;
import java.util.Optional;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.Stanza;

/**
 * What a presence says about its sender's avatar (XEP-0153 {@code <x xmlns='vcard-temp:x:update'>}):
 * <ul>
 *   <li>{@link Kind#UNKNOWN}: no {@code x} element or no {@code photo} in it (§3.2: "not ready to
 *       advertise an image" / a client that does not do XEP-0153);</li>
 *   <li>{@link Kind#NONE}: an empty {@code <photo/>} (no avatar);</li>
 *   <li>{@link Kind#HASH}: the SHA-1 of the current avatar (lowercase hex).</li>
 * </ul>
 */
public record PhotoHint(Kind kind, Optional<String> sha1) {
    public static final String NAMESPACE = "vcard-temp:x:update";
    public static final PhotoHint UNKNOWN = new PhotoHint(Kind.UNKNOWN, Optional.empty());
    public static final PhotoHint NONE = new PhotoHint(Kind.NONE, Optional.empty());

    public enum Kind { UNKNOWN, NONE, HASH }

    public static PhotoHint hash(String sha1) {
        return new PhotoHint(Kind.HASH, Optional.of(sha1));
    }

    /** The hint a presence carries. A malformed hash counts as unknown (the vCard is fetched instead). */
    public static PhotoHint of(Stanza presence) {
        ExtensionElement x = presence == null ? null : presence.getExtension("x", NAMESPACE);
        if (!(x instanceof StandardExtensionElement element)) {
            return UNKNOWN;
        }
        StandardExtensionElement photo = element.getFirstElement("photo", NAMESPACE);
        if (photo == null) {
            photo = element.getFirstElement("photo");
        }
        if (photo == null) {
            return UNKNOWN;
        }
        String text = photo.getText() == null ? "" : photo.getText().strip().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            return NONE;
        }
        return AvatarImages.isSha1Hex(text) ? hash(text) : UNKNOWN;
    }
}
