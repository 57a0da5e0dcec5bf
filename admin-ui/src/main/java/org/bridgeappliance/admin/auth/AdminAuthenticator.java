package org.bridgeappliance.admin.auth;

import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bridgeappliance.admin.AdminConfig;
import org.bridgeappliance.mapping.AdminUser;
import org.bridgeappliance.mapping.AdminUserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks admin credentials against the {@link AdminUserStore}, throttled by {@link LoginThrottle}.
 *
 * <p>A PBKDF2 check costs a few hundred milliseconds on purpose, so scripts that send HTTP Basic
 * on every call would each pay it. Successful Basic credentials are therefore remembered for a few
 * minutes as an HMAC under a per-process random key (never the password itself) and compared in
 * constant time. The memory is dropped when the admin's password changes or the admin is deleted.
 *
 * <p>Blocking (PBKDF2, JDBC): call from a blocking worker thread, never the event loop.
 */
@Singleton
public class AdminAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(AdminAuthenticator.class);
    private static final long CACHE_NANOS = Duration.ofMinutes(5).toNanos();
    private static final int MAX_CACHED = 1000;
    private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    private final AdminUserStore users;
    private final LoginThrottle throttle;
    private final SecretKeySpec cacheKey;
    private final Map<String, Cached> verified = new ConcurrentHashMap<>();
    /** Bounds the CPU that unauthenticated callers can make this process spend on PBKDF2. */
    private final Semaphore hashing;

    private record Cached(String username, byte[] mac, long expiresAtNanos) {
    }

    /** The outcome of a check. */
    public sealed interface Result {
        record Success(String username) implements Result {
        }

        record Failure() implements Result {
        }

        record Throttled(Duration retryAfter) implements Result {
        }

        /** Too many password checks running already; nothing was counted. */
        record Busy(Duration retryAfter) implements Result {
        }
    }

    public AdminAuthenticator(AdminUserStore users, LoginThrottle throttle, AdminConfig config) {
        this.users = users;
        this.throttle = throttle;
        this.hashing = new Semaphore(config.getMaxConcurrentLogins());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
    }

    /**
     * Checks one username and password. Order matters: the throttle counts the attempt before the
     * password is hashed (so parallel bursts cannot get past it), and at most
     * {@code bridge.admin.max-concurrent-logins} hashes run at once; beyond that the attempt is
     * answered {@link Result.Busy} at once instead of queueing unauthenticated CPU work.
     *
     * @param useCache true for HTTP Basic (repeated on every call), false for interactive logins
     */
    public Result authenticate(String username, String password, String clientAddress, boolean useCache) {
        if (username == null || password == null || username.isEmpty()
                || username.length() > CredentialPolicy.MAX_USERNAME_LENGTH
                || password.length() > CredentialPolicy.MAX_PASSWORD_LENGTH) {
            return new Result.Failure();
        }
        byte[] mac = useCache ? mac(username, password) : null;
        if (useCache) {
            Cached cached = verified.get(username.toLowerCase(Locale.ROOT));
            if (cached != null && System.nanoTime() - cached.expiresAtNanos() < 0
                    && MessageDigest.isEqual(cached.mac(), mac)) {
                return new Result.Success(cached.username());
            }
        }
        if (!hashing.tryAcquire()) {
            return new Result.Busy(BUSY_RETRY_AFTER);
        }
        Optional<AdminUser> user;
        try {
            LoginThrottle.Admission admission = throttle.beginLogin(username, clientAddress);
            if (admission instanceof LoginThrottle.Admission.Refused refused) {
                return new Result.Throttled(refused.retryAfter());
            }
            char[] chars = password.toCharArray();
            try {
                user = users.authenticate(username, chars);
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
            if (user.isPresent()) {
                throttle.succeeded((LoginThrottle.Admission.Admitted) admission);
            }
        } finally {
            hashing.release();
        }
        if (user.isEmpty()) {
            // The username is logged (it is not a secret, and admins need to see guessing); the password never.
            LOG.warn("Failed admin login for user '{}' from {}", sanitize(username), clientAddress);
            return new Result.Failure();
        }
        String canonical = user.get().username();
        if (useCache) {
            if (verified.size() >= MAX_CACHED) {
                verified.clear();
            }
            verified.put(username.toLowerCase(Locale.ROOT), new Cached(canonical, mac, System.nanoTime() + CACHE_NANOS));
        }
        return new Result.Success(canonical);
    }

    /** Forgets remembered Basic credentials of {@code username} (password changed, admin deleted). */
    public void forget(String username) {
        verified.values().removeIf(c -> c.username().equalsIgnoreCase(username));
        verified.remove(username.toLowerCase(Locale.ROOT));
    }

    private byte[] mac(String username, String password) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(cacheKey);
            hmac.update(username.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            return hmac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Keeps log lines single-line and short whatever a client sends as a username. */
    static String sanitize(String value) {
        String v = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        return v.replaceAll("[\\p{Cntrl}]", "?");
    }
}
