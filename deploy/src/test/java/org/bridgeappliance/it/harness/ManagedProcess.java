package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An external program a test starts (sipp, baresip), with its output in a file of its work directory.
 *
 * <p>Its PID is recorded as {@code RUN_DIR/pids/test-<name>.pid} (plus a {@code .match} file holding the work
 * directory, which appears on its command line) so that {@code deploy/sandbox.sh down} stops it too if a test
 * JVM dies before {@link #close()}. {@link #close()} stops the process (TERM, then KILL after 5 s) and removes
 * the records. Not thread-safe: one test thread owns it.
 */
public final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path output;
    private final Path pidFile;
    private final Path matchFile;

    private ManagedProcess(String name, Process process, Path output, Path pidFile, Path matchFile) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.pidFile = pidFile;
        this.matchFile = matchFile;
    }

    /**
     * Starts {@code command} in {@code workDir} (which must lie under the sandbox's RUN_DIR and appear in the
     * command line, so that deploy/sandbox.sh can verify the PID before stopping it).
     */
    public static ManagedProcess start(Sandbox sandbox, String name, Path workDir, List<String> command) {
        return start(sandbox, name, workDir, command, java.util.Map.of(), false);
    }

    /**
     * As {@link #start(Sandbox, String, Path, List)} with {@code env} added to the environment and, if
     * {@code stdinPipe}, standard input a pipe the test writes to ({@link #stdin()}) instead of /dev/null
     * (linphonec reads its commands there).
     */
    public static ManagedProcess start(Sandbox sandbox, String name, Path workDir, List<String> command,
                                       java.util.Map<String, String> env, boolean stdinPipe) {
        Path output = workDir.resolve(name + ".out");
        Path pids = sandbox.runDir().resolve("pids");
        String id = "test-" + workDir.getFileName() + "-" + name;
        try {
            Files.createDirectories(pids);
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(stdinPipe ? ProcessBuilder.Redirect.PIPE
                    : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            Path pidFile = pids.resolve(id + ".pid");
            Path matchFile = pids.resolve(id + ".match");
            Files.writeString(matchFile, workDir.toString() + "\n", StandardCharsets.UTF_8);
            Files.writeString(pidFile, p.pid() + "\n", StandardCharsets.UTF_8);
            return new ManagedProcess(name, p, output, pidFile, matchFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + " (is it installed? deploy/sandbox.sh up"
                + " installs it)", e);
        }
    }

    /** Waits for the process to exit; returns its exit code, or fails (with its output's tail) on timeout. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout + "; output:\n" + outputTail());
            }
            forget();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    /** The process's standard input (only a pipe when started with {@code stdinPipe}). */
    public java.io.OutputStream stdin() {
        return process.getOutputStream();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path outputFile() {
        return output;
    }

    /** The last 4 KiB of the process's output (for failure messages). */
    public String outputTail() {
        try {
            byte[] all = Files.readAllBytes(output);
            int from = Math.max(0, all.length - 4096);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private void forget() {
        try {
            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(matchFile);
        } catch (IOException ignored) {
            // deploy/sandbox.sh down removes stale records itself
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        forget();
    }
}
