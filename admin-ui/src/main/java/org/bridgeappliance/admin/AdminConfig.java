package org.bridgeappliance.admin;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

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
    /** PBKDF2 work factor for new password hashes; tests lower it, production keeps the default. */
    private int passwordIterations = 600_000;
    /** A browser session ends after this long without a request. */
    private Duration sessionIdleTimeout = Duration.ofMinutes(30);
    /** A browser session ends this long after login, however active. */
    private Duration sessionMaxAge = Duration.ofHours(12);
    /** Upper bound on concurrent browser sessions (oldest are evicted). */
    private int maxSessions = 1000;
    /** Failed logins per username or client address before further attempts are refused for a while. */
    private int loginMaxFailures = 5;
    /** Longest refusal after repeated failed logins (the wait doubles from 1 s up to this). */
    private Duration loginMaxLockout = Duration.ofMinutes(5);
    /** Largest request body the admin API accepts, in bytes (the server-wide limit is larger for Matrix pushes). */
    private int maxBodyBytes = 64 * 1024;
    /** Secure flag of the session cookie: AUTO sets it when the request came over HTTPS. */
    private CookieSecurity cookieSecure = CookieSecurity.AUTO;

    public enum CookieSecurity { AUTO, ALWAYS, NEVER }

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
