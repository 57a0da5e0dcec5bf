package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served OpenAPI document tells the truth about authentication: every operation it marks {@code security: []}
 * answers a request without credentials, and every other one refuses it with 401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiSecurityTest {
    private EmbeddedServer server;
    private URI base;

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServers.withAdmin(dataDir, Map.of());
        base = server.getURI();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** One operation of the document: its method, path, and whether it says {@code security: []}. */
    record Op(String method, String path, boolean open) {
    }

    /** The operations under {@code paths:}, read by indentation (the generator writes two spaces per level). */
    static List<Op> operations(String yaml) {
        List<Op> ops = new ArrayList<>();
        boolean inPaths = false;
        String path = null;
        String method = null;
        boolean open = false;
        for (String line : yaml.split("\n")) {
            boolean newPath = inPaths && line.matches("  /\\S+:");
            boolean newMethod = inPaths && line.matches("    (get|put|post|delete|patch|head):");
            boolean leaving = !line.startsWith(" ");
            if ((newPath || newMethod || leaving) && method != null) {
                ops.add(new Op(method, path, open));
                method = null;
                open = false;
            }
            if (leaving) {
                inPaths = line.equals("paths:");
            } else if (newPath) {
                path = line.strip().replaceAll(":$", "");
            } else if (newMethod) {
                method = line.strip().replace(":", "").toUpperCase(Locale.ROOT);
            } else if (method != null && line.equals("      security: []")) {
                open = true;
            }
        }
        if (method != null) {
            ops.add(new Op(method, path, open));
        }
        return ops;
    }

    @Test
    void publicOperationsSaySoAndAreTheOnlyOnesAnsweringWithoutCredentials() {
        ApiClient.Response doc = new ApiClient(base).get("/api/v1/openapi.yml");
        assertEquals(200, doc.status());
        List<Op> ops = operations(doc.body());
        assertTrue(ops.size() > 20, "read the operations: " + ops);
        List<String> open = ops.stream().filter(Op::open).map(o -> o.method() + " " + o.path()).sorted().toList();
        assertEquals(List.of("GET /api/v1/setup", "POST /api/v1/session", "POST /api/v1/setup"), open);
        for (Op op : ops) {
            String path = op.path().replaceAll("\\{[^}]+}", "x");
            ApiClient.Response r = new ApiClient(base).send(op.method(), path,
                    op.method().equals("GET") || op.method().equals("DELETE") ? null : Map.of(), "application/json");
            if (op.open()) {
                assertNotEquals(401, r.status(), op + " is marked public: " + r);
            } else {
                assertEquals(401, r.status(), op + " is not marked public: " + r);
            }
        }
    }
}
