package org.bridgeappliance.adapter.xmpp.component;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes read from the stream and fails the read once one top-level element (a stanza)
 * has taken more than the allowed number of bytes, before the parser buffers it whole.
 *
 * <p>The parser reads ahead in blocks, so the limit is enforced to within its buffer size
 * ({@link #SLACK_BYTES}); that is enough to bound memory, which is the point.
 * Used by the connection's reader thread only.
 */
public final class StanzaSizeLimiter extends FilterInputStream {
    /** Read-ahead the parser and decoder may hold beyond the current element. */
    public static final int SLACK_BYTES = 32 * 1024;

    private final long maxElementBytes;
    private long count;
    private long limit;
    private boolean exceeded;

    public StanzaSizeLimiter(InputStream in, long maxElementBytes) {
        super(in);
        if (maxElementBytes < 1024) {
            throw new IllegalArgumentException("maxElementBytes must be at least 1024");
        }
        this.maxElementBytes = maxElementBytes;
        this.limit = maxElementBytes + SLACK_BYTES;
    }

    /** Called between top-level elements: the next element gets a fresh budget. */
    public void elementBoundary() {
        limit = count + maxElementBytes + SLACK_BYTES;
    }

    /** True once a read failed because an element was too large. */
    public boolean exceeded() {
        return exceeded;
    }

    public long maxElementBytes() {
        return maxElementBytes;
    }

    private void check() throws IOException {
        if (count > limit) {
            exceeded = true;
            throw new StanzaTooLargeException("stanza larger than " + maxElementBytes + " bytes");
        }
    }

    @Override
    public int read() throws IOException {
        check();
        int b = super.read();
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        int n = super.read(b, off, (int) Math.min(len, Math.max(1, limit - count + 1)));
        if (n > 0) {
            count += n;
        }
        check();
        return n;
    }

    /** The stream carried an element larger than the configured limit (RFC 6120 policy-violation). */
    public static final class StanzaTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        StanzaTooLargeException(String message) {
            super(message);
        }
    }
}
