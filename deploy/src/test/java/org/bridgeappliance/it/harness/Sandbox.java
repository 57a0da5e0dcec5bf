package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox of real servers the integration tests run against, as described by {@code .sandbox/env} at the
 * repository root (written by {@code deploy/sandbox.sh up}; keys documented in deploy/sandbox/README.md).
 *
 * <p>{@link #get()} returns one instance per JVM. If the env file is missing or its servers do not answer, it runs
 * {@code deploy/sandbox.sh up} once (extra arguments from the system property {@code bridge.sandbox.up-args},
 * e.g. {@code --no-appliance}) and, because it started the sandbox, runs {@code deploy/sandbox.sh down} when the
 * JVM exits (unless {@code -Dbridge.sandbox.keep=true}). When {@code deploy/test.sh} has already brought the
 * sandbox up, nothing is started or stopped here.
 *
 * <p>Thread-safe; the accessors never block. {@link #get()} may block for the duration of {@code up} (seconds
 * warm, minutes on a machine where the servers are not installed yet).
 *
 * <p>State between test classes: the servers are not reset between tests. Tests stay independent by using
 * {@link #uniqueName(String)} for every account, room, MUC and SIP user they create (Prosody, Synapse and
 * Kamailio then never see a name twice within one sandbox lifetime); a clean state comes from {@code down} +
 * {@code up}, which wipes every server's data.
 */
public final class Sandbox {

    /** Largest env file accepted: it is a few dozen short lines. */
    private static final long MAX_ENV_BYTES = 64 * 1024;
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(15);

    private static final Duration LOCK_WAIT = Duration.ofMinutes(20);

    private static volatile Sandbox instance;
    @SuppressWarnings("unused")
    private static FileLock jvmLock;
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String RUN_ID = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);

    private final Path repoRoot;
    private final Map<String, String> env;

    private Sandbox(Path repoRoot, Map<String, String> env) {
        this.repoRoot = repoRoot;
        this.env = Collections.unmodifiableMap(env);
    }

    /** The running sandbox, started once per JVM if it is not running yet. */
    public static Sandbox get() {
        Sandbox s = instance;
        if (s != null) {
            return s;
        }
        synchronized (Sandbox.class) {
            if (instance == null) {
                lockForThisJvm(findRepoRoot());
                instance = startOrAttach();
            }
            return instance;
        }
    }

    /**
     * Integration-test JVMs of one checkout take turns: two at once (e.g. two people's `mvn verify`) would
     * collide on the sandbox's single-connection resources (the probe component, the probe AS port, the bridge's
     * SIP port). The lock is held until this JVM exits.
     */
    private static void lockForThisJvm(Path root) {
        Path lockFile = root.resolve(".sandbox/it.lock");
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
            boolean told = false;
            while (true) {
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    return; // this JVM holds it already
                }
                if (lock != null) {
                    jvmLock = lock; // kept reachable: released when the JVM exits
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("another integration-test run holds " + lockFile + " for more than "
                        + LOCK_WAIT);
                }
                if (!told) {
                    System.err.println("[it] another integration-test run uses the sandbox; waiting for " + lockFile);
                    told = true;
                }
                Thread.sleep(200); // polling a file lock, bounded by the deadline above
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + lockFile, e);
        }
    }

    private static Sandbox startOrAttach() {
        Path root = findRepoRoot();
        Path envFile = root.resolve(".sandbox/env");
        if (Files.isRegularFile(envFile)) {
            Sandbox existing = new Sandbox(root, readEnv(envFile));
            String problem = existing.serversProblem();
            if (problem == null) {
                return existing;
            }
            System.err.println("[it] .sandbox/env exists but " + problem + "; running deploy/sandbox.sh up");
        }
        String upArgs = System.getProperty("bridge.sandbox.up-args", "").trim();
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("deploy/sandbox.sh").toString(), "up"));
        if (!upArgs.isEmpty()) {
            cmd.addAll(List.of(upArgs.split("\\s+")));
        }
        int rc;
        Path upLog;
        try {
            Files.createDirectories(root.resolve(".sandbox"));
            upLog = root.resolve(".sandbox/it-sandbox-up.log");
            Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(upLog.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            if (!p.waitFor(UP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("deploy/sandbox.sh up did not finish within " + UP_TIMEOUT
                    + "; see " + upLog);
            }
            rc = p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run deploy/sandbox.sh up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the sandbox", e);
        }
        if (!Boolean.getBoolean("bridge.sandbox.keep")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> runDown(root), "sandbox-down"));
        }
        if (!Files.isRegularFile(envFile)) {
            throw new IllegalStateException("deploy/sandbox.sh up failed (exit " + rc + ") and wrote no .sandbox/env;"
                + " see " + upLog);
        }
        Sandbox started = new Sandbox(root, readEnv(envFile));
        String problem = started.serversProblem();
        if (problem != null) {
            throw new IllegalStateException("after deploy/sandbox.sh up (exit " + rc + "): " + problem + "; see " + upLog);
        }
        if (rc != 0) {
            // The servers run; the appliance did not start. Server smoke tests can still run; tests that need the
            // appliance call requireAppliance() and fail with the reason.
            System.err.println("[it] deploy/sandbox.sh up exited " + rc + " (appliance: " + started.get("APPLIANCE_STATE")
                + "); see " + upLog);
        }
        return started;
    }

    private static void runDown(Path root) {
        try {
            Process p = new ProcessBuilder("bash", root.resolve("deploy/sandbox.sh").toString(), "down")
                .directory(root.toFile()).inheritIO().start();
            p.waitFor(2, TimeUnit.MINUTES);
        } catch (IOException e) {
            System.err.println("[it] deploy/sandbox.sh down failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Null if Prosody, Synapse and Kamailio answer on the env's addresses, else what does not. */
    String serversProblem() {
        try {
            if (!tcpOpen(get("XMPP_HOST"), getInt("XMPP_PORT"))) {
                return "Prosody does not answer on " + get("XMPP_HOST") + ":" + get("XMPP_PORT");
            }
            if (!httpOk(get("MATRIX_URL") + "/_matrix/client/versions")) {
                return "Synapse does not answer on " + get("MATRIX_URL");
            }
            if (!tcpOpen(get("SIP_HOST"), getInt("SIP_PORT"))) {
                return "Kamailio does not answer on " + get("SIP_PROXY");
            }
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static boolean tcpOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean httpOk(String url) {
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The repository root: system property {@code bridge.repo.root} (set by failsafe) if it holds
     * deploy/sandbox.sh, else the first directory upwards from the working directory that does.
     */
    static Path findRepoRoot() {
        String prop = System.getProperty("bridge.repo.root");
        List<Path> starts = new ArrayList<>();
        if (prop != null && !prop.isBlank()) {
            starts.add(Path.of(prop).toAbsolutePath());
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("deploy/sandbox.sh"))) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("repository root not found (no deploy/sandbox.sh above " + starts + ")");
    }

    static Map<String, String> readEnv(Path file) {
        try {
            if (Files.size(file) > MAX_ENV_BYTES) {
                throw new IllegalStateException(file + " is larger than " + MAX_ENV_BYTES + " bytes");
            }
            return parseEnv(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Parses {@code KEY=value} lines as deploy/sandbox.sh writes them: comments and blank lines skipped, values
     * optionally single-quoted (they never contain a quote themselves).
     */
    static Map<String, String> parseEnv(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || !line.substring(0, eq).matches("[A-Z][A-Z0-9_]*")) {
                throw new IllegalStateException("line " + n + " of .sandbox/env is not KEY=value");
            }
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(line.substring(0, eq), value);
        }
        return out;
    }

    /** A value of .sandbox/env; fails naming the key if it is missing. */
    public String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException(".sandbox/env has no " + key + " (re-run deploy/sandbox.sh up?)");
        }
        return v;
    }

    public int getInt(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(".sandbox/env: " + key + " is not a number", e);
        }
    }

    public Map<String, String> env() {
        return env;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    public Path runDir() {
        return Path.of(get("RUN_DIR"));
    }

    /** True if deploy/sandbox.sh started the appliance successfully. */
    public boolean applianceRunning() {
        return "running".equals(env.get("APPLIANCE_STATE"));
    }

    /** Fails (with the reason and the log's place) unless the appliance runs; for tests that need it. */
    public void requireAppliance() {
        if (!applianceRunning()) {
            throw new IllegalStateException("the appliance is not running in the sandbox (APPLIANCE_STATE="
                + env.get("APPLIANCE_STATE") + "); see " + env.get("APPLIANCE_LOG"));
        }
    }

    /** The demo accounts of a DEMO_*_USERS key ("user:password user:password"). */
    public List<Credentials> demoUsers(String key) {
        List<Credentials> out = new ArrayList<>();
        for (String pair : get(key).trim().split("\\s+")) {
            int c = pair.indexOf(':');
            if (c <= 0) {
                throw new IllegalStateException(".sandbox/env: " + key + " is not 'user:password ...'");
            }
            out.add(new Credentials(pair.substring(0, c), pair.substring(c + 1)));
        }
        return out;
    }

    /**
     * A name never used before in this sandbox lifetime: lower-case {@code prefix} + run id + counter, valid as an
     * XMPP localpart, a Matrix localpart, a MUC room name and a SIP user part.
     */
    public static String uniqueName(String prefix) {
        if (!prefix.matches("[a-z][a-z0-9_]{0,30}")) {
            throw new IllegalArgumentException("prefix must match [a-z][a-z0-9_]{0,30}: " + prefix);
        }
        return prefix + "_" + RUN_ID + "_" + COUNTER.incrementAndGet();
    }

    /** A fresh directory under RUN_DIR/tests for a test's files (sipp logs, baresip config). */
    public Path newWorkDir(String name) {
        Path dir = runDir().resolve("tests").resolve(uniqueName(name));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    /** A user name and password. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", password hidden]";
        }
    }
}
