package org.bridgeappliance.core.port;

/**
 * What one room on one network can carry, as data. The router decides every fallback from these
 * flags in one place (edits become "* corrected" messages, replies become quotes, reactions become
 * notices, long bodies are split) so no adapter special-cases another network.
 *
 * @param maxBodyBytes the largest UTF-8 body one message may carry; longer ones are split in parts
 */
public record RoomCapabilities(boolean html, boolean edits, boolean retractions, boolean reactions,
                               boolean replies, boolean attachments, boolean typing, boolean readMarkers,
                               int maxBodyBytes) {
    /** Everything a modern chat network supports (Matrix, XMPP with current XEPs). */
    public static final RoomCapabilities FULL = new RoomCapabilities(true, true, true, true, true, true, true, true,
            60_000);
    /** Plain text only, the least any network carries (a SIP pager-mode phone). */
    public static final RoomCapabilities PLAIN_TEXT = new RoomCapabilities(false, false, false, false, false, false,
            false, false, 1000);

    public RoomCapabilities {
        if (maxBodyBytes < 64) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 64, was " + maxBodyBytes);
        }
    }
}
