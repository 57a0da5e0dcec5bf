package org.bridgeappliance.it.xmpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.bridgeappliance.it.harness.Sandbox;

/**
 * A throw-away ejabberd 23.01 (the Debian package) for one test: its own directory under
 * {@code RUN_DIR/ejabberd/<unique>} with a configuration rendered from {@code deploy/sandbox/ejabberd/}, its own domain
 * and loopback ports (c2s 15522, component 15547, Erlang distribution 15549, shifted like the sandbox's own ports).
 *
 * <p>Run as root, Debian's ejabberdctl re-executes the server as the user {@code ejabberd}, so the directory is
 * handed to that user; the Erlang node uses a fixed distribution port and no epmd daemon, so nothing outlives
 * {@link #close()}. The server's beam process is recorded as {@code RUN_DIR/pids/test-<dir>-beam.pid} (+ {@code .match}
 * = its directory), so {@code deploy/sandbox.sh down} stops it if a test JVM dies first. Not thread-safe.
 */
final class EjabberdServer implements AutoCloseable {
    static final String CTL = "/usr/sbin/ejabberdctl";
    private static final Duration START_DEADLINE = Duration.ofSeconds(40);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(15);

    final String domain = "ejabberd.test";
    final String mucDomain = "conference.ejabberd.test";
    final String componentDomain = "probe.ejabberd.test";
    final String componentSecret = secret();
    final int c2sPort;
    final int componentPort;
    final int distPort;
    final Path dir;
    private final Sandbox sandbox;
    private Process launcher;
    private ProcessHandle beam;
    private Path pidFile;
    private Path matchFile;

    private EjabberdServer(Sandbox sandbox, Path dir, int offset) {
        this.sandbox = sandbox;
        this.dir = dir;
        this.c2sPort = 15522 + offset;
        this.componentPort = 15547 + offset;
        this.distPort = 15549 + offset;
    }

    private static String secret() {
        byte[] b = new byte[12];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Renders the configuration, starts ejabberd and waits until both listeners accept connections. */
    static EjabberdServer start(Sandbox sandbox) {
        if (!Files.isExecutable(Path.of(CTL))) {
            throw new IllegalStateException(CTL + " not found: install the Debian package ejabberd"
                    + " (deploy/sandbox/install-deps.sh servers does, as root)");
        }
        String user = System.getProperty("user.name");
        if (!"root".equals(user) && !"ejabberd".equals(user)) {
            throw new IllegalStateException("Debian's ejabberdctl runs only as root or as the user ejabberd, not as "
                    + user);
        }
        // the sandbox's port offset (SANDBOX_PORT_OFFSET) applies here too: a second checkout does not collide
        int offset = sandbox.getInt("XMPP_PORT") - 15222;
        Path dir = sandbox.runDir().resolve("ejabberd").resolve(Sandbox.uniqueName("ej"));
        EjabberdServer s = new EjabberdServer(sandbox, dir, offset);
        try {
            s.launch(user);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private void launch(String user) {
        for (int port : List.of(c2sPort, componentPort, distPort)) {
            if (!portFree(port)) {
                throw new IllegalStateException("port 127.0.0.1:" + port + " is in use; ejabberd cannot start there");
            }
        }
        Path templates = sandbox.repoRoot().resolve("deploy/sandbox/ejabberd");
        String node = dir.getFileName() + "@localhost";
        Map<String, String> values = Map.of("DOMAIN", domain, "MUC_DOMAIN", mucDomain, "COMPONENT_DOMAIN",
                componentDomain, "COMPONENT_SECRET", componentSecret, "C2S_PORT", Integer.toString(c2sPort),
                "COMPONENT_PORT", Integer.toString(componentPort), "DIST_PORT", Integer.toString(distPort), "NODE", node,
                "DIR", dir.toString());
        try {
            Files.createDirectories(dir.resolve("spool"));
            Files.createDirectories(dir.resolve("logs"));
            render(templates.resolve("ejabberd.yml.in"), dir.resolve("ejabberd.yml"), values);
            // it holds the component secret
            Files.setPosixFilePermissions(dir.resolve("ejabberd.yml"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            render(templates.resolve("ejabberdctl.cfg.in"), dir.resolve("ejabberdctl.cfg"), values);
            Files.copy(templates.resolve("inetrc"), dir.resolve("inetrc"));
            if ("root".equals(user)) {
                // ejabberdctl re-executes as the user ejabberd: the server must own its config, spool and logs.
                run(List.of("chown", "-R", "ejabberd:ejabberd", dir.toString()));
            }
            List<String> cmd = List.of(CTL, "--config-dir", dir.toString(), "--config",
                    dir.resolve("ejabberd.yml").toString(), "--ctl-config", dir.resolve("ejabberdctl.cfg").toString(),
                    "--logs", dir.resolve("logs").toString(), "--spool", dir.resolve("spool").toString(), "foreground");
            launcher = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("console.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ejabberd in " + dir, e);
        }
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (!(tcpOpen(componentPort) && tcpOpen(c2sPort))) {
            if (beam == null) {
                beam = findBeam().orElse(null);
                if (beam != null) {
                    record(beam);
                }
            }
            if (!launcher.isAlive()) {
                throw new IllegalStateException("ejabberd exited (" + launcher.exitValue() + ") before it listened:\n"
                        + tail(dir.resolve("console.log")) + "\n" + tail(dir.resolve("logs/ejabberd.log")));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ejabberd did not listen on " + c2sPort + "/" + componentPort
                        + " within " + START_DEADLINE + ":\n" + tail(dir.resolve("logs/ejabberd.log")));
            }
            LockSupport.parkNanos(100_000_000L); // poll, bounded by the deadline
        }
        if (beam == null) {
            beam = findBeam().orElseThrow(() -> new IllegalStateException("ejabberd listens but its beam process"
                    + " was not found"));
            record(beam);
        }
    }

    /** The Erlang VM of this server: the process whose command line names this directory's spool. */
    private Optional<ProcessHandle> findBeam() {
        return ours().stream().filter(p -> p.info().command().map(c -> c.endsWith("beam.smp")).orElse(false))
                .findFirst();
    }

    /** Every process whose command line mentions this server's directory. */
    List<ProcessHandle> ours() {
        String marker = dir.toString() + "/";
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (cmdline(p.pid()).contains(marker)) {
                out.add(p);
            }
        });
        return out;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private void record(ProcessHandle p) {
        Path pids = sandbox.runDir().resolve("pids");
        String id = "test-" + dir.getFileName() + "-beam";
        try {
            Files.createDirectories(pids);
            matchFile = pids.resolve(id + ".match");
            pidFile = pids.resolve(id + ".pid");
            Files.writeString(matchFile, dir + "/\n", StandardCharsets.UTF_8);
            Files.writeString(pidFile, p.pid() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the server (TERM to the Erlang VM: a graceful init:stop, which closes the component's stream; KILL after
     * 15 s) and waits until no process mentions its directory any more.
     */
    @Override
    public void close() {
        List<ProcessHandle> left = ours();
        if (beam != null && beam.isAlive()) {
            beam.destroy();
        } else {
            left.forEach(ProcessHandle::destroy);
        }
        long deadline = System.nanoTime() + STOP_DEADLINE.toNanos();
        while (!(left = ours()).isEmpty() || (launcher != null && launcher.isAlive())) {
            if (System.nanoTime() > deadline) {
                left.forEach(ProcessHandle::destroyForcibly);
                if (launcher != null) {
                    launcher.destroyForcibly();
                }
                break;
            }
            LockSupport.parkNanos(50_000_000L); // poll, bounded by the deadline
        }
        try {
            if (launcher != null) {
                launcher.waitFor(5, TimeUnit.SECONDS);
            }
            if (pidFile != null) {
                Files.deleteIfExists(pidFile);
                Files.deleteIfExists(matchFile);
            }
        } catch (IOException ignored) {
            // deploy/sandbox.sh down removes stale records itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True while the server's c2s listener accepts connections. */
    boolean listening() {
        return tcpOpen(c2sPort) || tcpOpen(componentPort);
    }

    String logTail() {
        return tail(dir.resolve("logs/ejabberd.log"));
    }

    private static void render(Path template, Path out, Map<String, String> values) throws IOException {
        String s = Files.readString(template, StandardCharsets.UTF_8);
        for (var e : values.entrySet()) {
            s = s.replace("@" + e.getKey() + "@", e.getValue());
        }
        if (s.matches("(?s).*@[A-Z_]+@.*")) {
            throw new IllegalStateException("unreplaced placeholder in " + out);
        }
        Files.writeString(out, s, StandardCharsets.UTF_8);
    }

    private static void run(List<String> cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean tcpOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = Math.max(0, all.length - 3000);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no " + file.getFileName() + ")";
        }
    }
}
