package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The media-fetch keys bind from configuration as the appliance and the sandbox write them. */
class MatrixConfigBindingTest {
    @Test
    void mediaFetchKeysBindAndDefaultToStrict() {
        try (ApplicationContext ctx = ApplicationContext.builder().properties(Map.of(
                "bridge.matrix.media-fetch-private-hosts", "true",
                "bridge.matrix.media-trusted-url-prefixes", List.of("http://127.0.0.1:18480/_bridge/xmpp/avatar/",
                        "https://bridge.example.org/_bridge/xmpp/avatar/"))).start()) {
            MatrixConfig config = ctx.getBean(MatrixConfig.class);
            assertTrue(config.isMediaFetchPrivateHosts());
            assertEquals(List.of("http://127.0.0.1:18480/_bridge/xmpp/avatar/",
                    "https://bridge.example.org/_bridge/xmpp/avatar/"), config.getMediaTrustedUrlPrefixes());
        }
        try (ApplicationContext ctx = ApplicationContext.builder().start()) {
            MatrixConfig config = ctx.getBean(MatrixConfig.class);
            assertFalse(config.isMediaFetchPrivateHosts());
            assertEquals(List.of(), config.getMediaTrustedUrlPrefixes());
        }
    }

    @Test
    void memberSyncKeysBindWithBoundedDefaults() {
        try (ApplicationContext ctx = ApplicationContext.builder().properties(Map.of(
                "bridge.matrix.member-sync-on-start", "false",
                "bridge.matrix.member-sync-max-members", "20",
                "bridge.matrix.member-sync-pause", "1s",
                "bridge.matrix.room-watch-interval", "30s")).start()) {
            MatrixConfig config = ctx.getBean(MatrixConfig.class);
            assertFalse(config.isMemberSyncOnStart());
            assertEquals(20, config.getMemberSyncMaxMembers());
            assertEquals(java.time.Duration.ofSeconds(1), config.getMemberSyncPause());
            assertEquals(java.time.Duration.ofSeconds(30), config.getRoomWatchInterval());
        }
        MatrixConfig defaults = new MatrixConfig();
        assertTrue(defaults.isMemberSyncOnStart());
        assertEquals(500, defaults.getMemberSyncMaxMembers());
        defaults.setMemberSyncMaxMembers(-5);
        assertEquals(0, defaults.getMemberSyncMaxMembers(), "negative is off, not an error at start-up");
    }

    @Test
    void mediaFetchDeadlineAndServingCapBindWithBoundedDefaults() {
        try (ApplicationContext ctx = ApplicationContext.builder().properties(Map.of(
                "bridge.matrix.media-fetch-timeout", "3s",
                "bridge.matrix.media-serve-max-concurrent", "2")).start()) {
            MatrixConfig config = ctx.getBean(MatrixConfig.class);
            assertEquals(java.time.Duration.ofSeconds(3), config.getMediaFetchTimeout());
            assertEquals(2, config.getMediaServeMaxConcurrent());
        }
        MatrixConfig defaults = new MatrixConfig();
        assertEquals(java.time.Duration.ofSeconds(30), defaults.getMediaFetchTimeout());
        assertEquals(8, defaults.getMediaServeMaxConcurrent());
        defaults.setMediaServeMaxConcurrent(0);
        assertEquals(1, defaults.getMediaServeMaxConcurrent(), "never zero: that would refuse every download");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> defaults.setMediaFetchTimeout(java.time.Duration.ZERO));
    }
}
