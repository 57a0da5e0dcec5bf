package org.bridgeappliance.adapter.sip;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * {@code bridge.sip.presence.*}: SIP presence (adapters/sip/README.md, "Presence").
 *
 * <ul>
 *   <li>{@code watch} (true): subscribe at the proxy to the presence of SIP people who share a bridged room, a
 *       direct chat or an identity link, and show it on XMPP and Matrix</li>
 *   <li>{@code watch-expires} (600s): the Expires the appliance asks for; refreshed 60 s before expiry (never
 *       before half of it)</li>
 *   <li>{@code service-user} ({@code presence}): the user part of the watcher URI {@code sip:<user>@<domain>}</li>
 * </ul>
 */
@ConfigurationProperties("bridge.sip.presence")
public class SipPresenceConfig {
    private boolean watch = true;
    private Duration watchExpires = Duration.ofSeconds(600);
    private String serviceUser = "presence";

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
