package org.bridgeappliance.adapter.matrix.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A Client-Server call failed: either the homeserver answered with an error ({@link #status()} > 0,
 * its {@code errcode}) or no answer came ({@link #status()} == 0). Carries what the adapter needs to
 * decide between a transient and a permanent delivery failure.
 */
public class MatrixHttpException extends RuntimeException {
    private final int status;
    private final String errcode;
    private final transient Duration retryAfter;

    public MatrixHttpException(int status, String errcode, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errcode = errcode == null ? "" : errcode;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    /** The Matrix {@code errcode} (M_FORBIDDEN, M_LIMIT_EXCEEDED...), or "" when none. */
    public String errcode() {
        return errcode;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * True when a later retry may succeed: no answer, 429, 5xx, 408, or 401 (the as_token refused:
     * an operator fixes the registration and everything queued goes through).
     */
    public boolean isTransient() {
        return status == 0 || status == 429 || status == 408 || status == 401 || status >= 500
                || "M_LIMIT_EXCEEDED".equals(errcode);
    }
}
