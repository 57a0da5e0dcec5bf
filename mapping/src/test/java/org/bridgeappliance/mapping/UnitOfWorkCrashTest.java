package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.OutboxEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash inside a grouped transaction, for real: the child JVM halts after a unit's writes and before its commit.
 * After a restart every unit that returned is there in full, and nothing of the halted one (no outbox entry, no
 * origin copy, no archive row): no half-written acceptance.
 */
class UnitOfWorkCrashTest {
    private static final int COMMITTED = 10;

    @Test
    void aUnitHaltedBeforeItsCommitLeavesNothingAndTheCommittedOnesAreWhole(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashingUnitOfWork.class.getName(), dir.toString(), Integer.toString(COMMITTED))
                .redirectErrorStream(true).start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "child did not finish within 60 s: " + output);
        assertEquals(0, child.exitValue(), output);
        List<Long> committed = new ArrayList<>();
        output.lines().filter(l -> l.startsWith("COMMITTED ")).forEach(l -> committed.add(Long.parseLong(l.substring(10))));
        assertEquals(COMMITTED, committed.size(), output);
        assertTrue(output.contains("HALTING INSIDE "), output);

        try (MappingDatabase reopened = MappingDatabase.openH2File(dir,
                new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            BridgeStores stores = reopened.stores();
            assertEquals(committed, stores.outbox().pending().stream().map(OutboxEntry::sequence).toList());
            for (int i = 0; i < COMMITTED; i++) {
                BridgeMessageId id = BridgeMessageId.of("m" + i);
                assertEquals(1, stores.messages().copies(id).size(), "origin copy of m" + i);
                assertTrue(stores.archive().find(id).isPresent(), "archive row of m" + i);
            }
            BridgeMessageId halted = BridgeMessageId.of("m" + COMMITTED);
            assertEquals(List.of(), stores.messages().copies(halted));
            assertEquals(List.of(), stores.messages().findInPortal(CrashingUnitOfWork.MUC,
                    RemoteMessageId.of("sid-m" + COMMITTED)));
            assertTrue(stores.archive().find(halted).isEmpty());
        }
    }
}
