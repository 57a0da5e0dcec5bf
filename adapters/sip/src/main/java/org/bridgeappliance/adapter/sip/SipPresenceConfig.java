package org.bridgeappliance.adapter.sip;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import org.bridgeappliance.adapter.sip.presence.PresenceSubscriptions;

/**
 * {@code bridge.sip.presence.*}: SIP presence (adapters/sip/README.md, "Presence").
 *
 * <ul>
 *   <li>{@code watch} (true): subscribe at the proxy to the presence of SIP people who share a bridged room, a
 *       direct chat or an identity link, and show it on XMPP and Matrix</li>
 *   <li>{@code watch-expires} (600s): the Expires the appliance asks for; refreshed 60 s before expiry (never
 *       before half of it)</li>
 *   <li>{@code service-user} ({@code presence}): the user part of the watcher URI {@code sip:<user>@<domain>}</li>
 *   <li>{@code min-expires} (60s), {@code max-expires} (3600s): phones' SUBSCRIBEs to puppets below the minimum get
 *       423, longer ones are shortened; {@code max-per-watcher} (50), {@code max-total} (2000): beyond, 503 +
 *       Retry-After 60 s</li>
 * </ul>
 */
@ConfigurationProperties("bridge.sip.presence")
public class SipPresenceConfig {
    private boolean watch = true;
    private Duration watchExpires = Duration.ofSeconds(600);
    private String serviceUser = "presence";
    private final PresenceSubscriptions.Limits d = PresenceSubscriptions.Limits.defaults();
    private Duration minExpires = d.minExpires();
    private Duration maxExpires = d.maxExpires();
    private int maxPerWatcher = d.maxPerWatcher();
    private int maxTotal = d.maxTotal();

    /** The limits for phones' subscriptions to puppets; throws IllegalArgumentException when inconsistent. */
    public PresenceSubscriptions.Limits limits() {
        return new PresenceSubscriptions.Limits(minExpires, maxExpires, maxExpires, maxPerWatcher, maxTotal,
                d.retryAfter(), d.notifyTimeout());
    }

    public Duration getMinExpires() {
        return minExpires;
    }

    public void setMinExpires(Duration minExpires) {
        this.minExpires = minExpires;
    }

    public Duration getMaxExpires() {
        return maxExpires;
    }

    public void setMaxExpires(Duration maxExpires) {
        this.maxExpires = maxExpires;
    }

    public int getMaxPerWatcher() {
        return maxPerWatcher;
    }

    public void setMaxPerWatcher(int maxPerWatcher) {
        this.maxPerWatcher = maxPerWatcher;
    }

    public int getMaxTotal() {
        return maxTotal;
    }

    public void setMaxTotal(int maxTotal) {
        this.maxTotal = maxTotal;
    }

    public boolean isWatch() {
        return watch;
    }

    public void setWatch(boolean watch) {
        this.watch = watch;
    }

    public Duration getWatchExpires() {
        return watchExpires;
    }

    public void setWatchExpires(Duration watchExpires) {
        if (watchExpires.toSeconds() < 1) {
            throw new IllegalArgumentException("bridge.sip.presence.watch-expires must be at least 1s");
        }
        this.watchExpires = watchExpires;
    }

    public String getServiceUser() {
        return serviceUser;
    }

    public void setServiceUser(String serviceUser) {
        if (serviceUser == null || !serviceUser.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("bridge.sip.presence.service-user must be 1..64 of [A-Za-z0-9._-]");
        }
        this.serviceUser = serviceUser;
    }
}
