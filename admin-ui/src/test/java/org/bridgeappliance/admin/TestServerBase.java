package org.bridgeappliance.admin;

import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.bridgeappliance.core.store.BridgeStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One server with an admin and the fake XMPP adapter ({@link TestRoomListingAdapter}) per test class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TestServerBase {
    EmbeddedServer server;
    URI base;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.test-room-listing", "true"));
        base = server.getURI();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    ApiClient admin() {
        return new ApiClient(base).basic(TestServers.ADMIN, TestServers.PASSWORD);
    }

    BridgeStores stores() {
        return server.getApplicationContext().getBean(BridgeStores.class);
    }
}
