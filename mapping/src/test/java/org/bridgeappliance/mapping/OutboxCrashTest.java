package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.core.store.OutboxEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox's promise, checked with a real crash: every append that returned before the JVM was
 * halted (no shutdown hook, no close) is there after a restart. With H2's default WRITE_DELAY the
 * last half second of commits would be lost; {@link H2DataSources#fileUrl} sets it to 0.
 */
class OutboxCrashTest {
    private static final int EVENTS = 20;

    @Test
    void appendsThatReturnedSurviveAHaltedJvm(@TempDir Path dir) throws Exception {
        assertSurvive(dir, runCrashingWriter(dir));
    }

    @Test
    void evenWhenTheDataSourceUrlKeepsH2sDefaultWriteDelay(@TempDir Path dir) throws Exception {
        // As a deploy configuration might: MappingDatabase.open sets WRITE_DELAY 0 itself.
        String plainUrl = "jdbc:h2:file:" + dir.toAbsolutePath().resolve(H2DataSources.DATABASE_NAME)
                + ";DB_CLOSE_ON_EXIT=FALSE";
        assertSurvive(dir, runCrashingWriter(dir, plainUrl));
    }

    private static void assertSurvive(Path dir, List<Long> reported) {
        assertEquals(EVENTS, reported.size(), "the child reported every append");

        try (MappingDatabase reopened = MappingDatabase.openH2File(dir,
                new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            List<Long> pending = reopened.stores().outbox().pending().stream().map(OutboxEntry::sequence).toList();
            assertEquals(reported, pending);
        }
    }

    private static List<Long> runCrashingWriter(Path dir, String... url) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashingOutboxWriter.class.getName(), dir.toString(), Integer.toString(EVENTS)));
        command.addAll(List.of(url));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "child did not finish within 60 s: " + output);
        assertEquals(0, child.exitValue(), output);
        List<Long> sequences = new ArrayList<>();
        output.lines().filter(l -> l.startsWith("APPENDED ")).forEach(l -> sequences.add(Long.parseLong(l.substring(9))));
        return sequences;
    }
}
