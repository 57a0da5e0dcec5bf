package org.bridgeappliance.admin;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Settings of the admin API under {@code bridge.admin}. The initial password is a secret: it is
 * never logged and {@link #toString()} hides it.
 */
@ConfigurationProperties("bridge.admin")
public class AdminConfig {
    /** Username of the first admin, created at start-up only while no admin exists. */
    private String initialUser = "";
    /** Password of the first admin (at least {@link org.bridgeappliance.admin.auth.CredentialPolicy#MIN_PASSWORD_LENGTH}). */
    private String initialPassword = "";
    /**
     * Lowest accepted {@link #passwordIterations}: OWASP's Password Storage Cheat Sheet asks for
     * 600,000 iterations of PBKDF2-HMAC-SHA256, the hash the mapping module uses (its 210,000 is for
     * PBKDF2-HMAC-SHA512). A lower configured value stops the start.
     */
    public static final int MIN_PASSWORD_ITERATIONS = 600_000;
    /** PBKDF2 work factor for new password hashes; at least {@link #MIN_PASSWORD_ITERATIONS}. */
    private int passwordIterations = 600_000;
    /** Lets tests go below {@link #MIN_PASSWORD_ITERATIONS} (logged as a warning); never set in production. */
    private boolean insecurePasswordIterationsForTests;
    /** A browser session ends after this long without a request. */
    private Duration sessionIdleTimeout = Duration.ofMinutes(30);
    /** A browser session ends this long after login, however active. */
    private Duration sessionMaxAge = Duration.ofHours(12);
    /** Upper bound on concurrent browser sessions (oldest are evicted). */
    private int maxSessions = 1000;
    /** Concurrent event streams ({@code GET /api/v1/events}) of one session or one Basic-auth admin; more get 429. */
    private int maxEventStreamsPerSession = 4;
    /** Concurrent event streams in total; more get 503. */
    private int maxEventStreams = 32;
    /** How often the event streams look for changed adapter states and counters. */
    private Duration eventStreamInterval = Duration.ofSeconds(1);
    /** A comment line goes down an event stream after this long without an event (keeps proxies from closing it). */
    private Duration eventStreamHeartbeat = Duration.ofSeconds(15);
    /** Failed logins per client address, and per username from one address, before waits begin. */
    private int loginMaxFailures = 5;
    /**
     * Failed logins for one username from all addresses within 15 minutes before that username is
     * paused until those 15 minutes are over (a distributed guessing attack), except from addresses
     * that admin logged in from within the last 30 days. Never below {@link #loginMaxFailures}.
     */
    private int loginMaxFailuresPerUser = 50;
    /** Password checks (PBKDF2) running at once; further attempts get 503 with Retry-After. */
    private int maxConcurrentLogins = 2;
    /**
     * Reverse proxies (IP addresses or CIDR blocks) whose {@code Forwarded} / {@code X-Forwarded-For}
     * and {@code X-Forwarded-Proto} headers are believed; empty (the default): the TCP peer is the client.
     */
    private List<String> trustedProxies = List.of();
    /** Longest refusal after repeated failed logins (the wait doubles from 1 s up to this). */
    private Duration loginMaxLockout = Duration.ofMinutes(5);
    /** Largest request body the admin API accepts, in bytes (the server-wide limit is larger for Matrix pushes). */
    private int maxBodyBytes = 64 * 1024;
    /**
     * Secure flag of the session cookie: ALWAYS (the default), or AUTO: only when the request came
     * over HTTPS (this server's TLS, or a trusted proxy's {@code X-Forwarded-Proto}/{@code Forwarded: proto}).
     */
    private CookieSecurity cookieSecure = CookieSecurity.ALWAYS;

    public enum CookieSecurity { ALWAYS, AUTO }

    /** Refuses unsafe settings at start-up. */
    @PostConstruct
    void validate() {
        if (passwordIterations < MIN_PASSWORD_ITERATIONS) {
            if (!insecurePasswordIterationsForTests) {
                throw new ConfigurationException("bridge.admin.password-iterations is " + passwordIterations
                        + "; at least " + MIN_PASSWORD_ITERATIONS + " (OWASP, PBKDF2-HMAC-SHA256) are required");
            }
            LoggerFactory.getLogger(AdminConfig.class).warn("bridge.admin.password-iterations is {}, below {}:"
                    + " allowed for tests only", passwordIterations, MIN_PASSWORD_ITERATIONS);
        }
        if (maxConcurrentLogins < 1) {
            throw new ConfigurationException("bridge.admin.max-concurrent-logins must be at least 1");
        }
    }

    public String getInitialUser() {
        return initialUser;
    }

    public void setInitialUser(String initialUser) {
        this.initialUser = initialUser == null ? "" : initialUser.trim();
    }

    public String getInitialPassword() {
        return initialPassword;
    }

    public void setInitialPassword(String initialPassword) {
        this.initialPassword = initialPassword == null ? "" : initialPassword;
    }

    public int getPasswordIterations() {
        return passwordIterations;
    }

    public void setPasswordIterations(int passwordIterations) {
        this.passwordIterations = passwordIterations;
    }

    public boolean isInsecurePasswordIterationsForTests() {
        return insecurePasswordIterationsForTests;
    }

    public void setInsecurePasswordIterationsForTests(boolean insecurePasswordIterationsForTests) {
        this.insecurePasswordIterationsForTests = insecurePasswordIterationsForTests;
    }

    public int getLoginMaxFailuresPerUser() {
        return loginMaxFailuresPerUser;
    }

    public void setLoginMaxFailuresPerUser(int loginMaxFailuresPerUser) {
        this.loginMaxFailuresPerUser = loginMaxFailuresPerUser;
    }

    public int getMaxConcurrentLogins() {
        return maxConcurrentLogins;
    }

    public void setMaxConcurrentLogins(int maxConcurrentLogins) {
        this.maxConcurrentLogins = maxConcurrentLogins;
    }

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    }

    public Duration getSessionIdleTimeout() {
        return sessionIdleTimeout;
    }

    public void setSessionIdleTimeout(Duration sessionIdleTimeout) {
        this.sessionIdleTimeout = sessionIdleTimeout;
    }

    public Duration getSessionMaxAge() {
        return sessionMaxAge;
    }

    public void setSessionMaxAge(Duration sessionMaxAge) {
        this.sessionMaxAge = sessionMaxAge;
    }

    public int getMaxSessions() {
        return maxSessions;
    }

    public void setMaxSessions(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    public int getMaxEventStreamsPerSession() {
        return maxEventStreamsPerSession;
    }

    public void setMaxEventStreamsPerSession(int maxEventStreamsPerSession) {
        this.maxEventStreamsPerSession = maxEventStreamsPerSession;
    }

    public int getMaxEventStreams() {
        return maxEventStreams;
    }

    public void setMaxEventStreams(int maxEventStreams) {
        this.maxEventStreams = maxEventStreams;
    }

    public Duration getEventStreamInterval() {
        return eventStreamInterval;
    }

    public void setEventStreamInterval(Duration eventStreamInterval) {
        this.eventStreamInterval = eventStreamInterval;
    }

    public Duration getEventStreamHeartbeat() {
        return eventStreamHeartbeat;
    }

    public void setEventStreamHeartbeat(Duration eventStreamHeartbeat) {
        this.eventStreamHeartbeat = eventStreamHeartbeat;
    }

    public int getLoginMaxFailures() {
        return loginMaxFailures;
    }

    public void setLoginMaxFailures(int loginMaxFailures) {
        this.loginMaxFailures = loginMaxFailures;
    }

    public Duration getLoginMaxLockout() {
        return loginMaxLockout;
    }

    public void setLoginMaxLockout(Duration loginMaxLockout) {
        this.loginMaxLockout = loginMaxLockout;
    }

    public int getMaxBodyBytes() {
        return maxBodyBytes;
    }

    public void setMaxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    public CookieSecurity getCookieSecure() {
        return cookieSecure;
    }

    public void setCookieSecure(CookieSecurity cookieSecure) {
        this.cookieSecure = cookieSecure;
    }

    @Override
    public String toString() {
        return "AdminConfig[initialUser=" + initialUser + ", initialPassword=" + (initialPassword.isEmpty() ? "" : "***")
                + ", passwordIterations=" + passwordIterations + "]";
    }
}
