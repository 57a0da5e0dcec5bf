package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs sipp (Debian package sip-tester) with the scenarios kept in {@code src/test/resources/it/sipp/} as a real
 * SIP user agent against the sandbox's Kamailio (or any address).
 *
 * <p>Each run gets its own work directory under RUN_DIR/tests with the scenario file, sipp's {@code <log>} output
 * ({@link Run#logText()}), its error file and screen output. sipp's exit code: 0 = every call of the scenario
 * succeeded, 1 = at least one failed, 99 = ended without a call, 255/254 = fatal (bad scenario, port in use).
 * Build with {@link #scenario}, set keys, then {@link #start} (returns at once) or {@link #run} (waits).
 */
public final class Sipp {

    private final Sandbox sandbox;
    private final String scenario;
    private final Map<String, String> keys = new LinkedHashMap<>();
    private String remote;
    private int localPort;
    private int calls = 1;
    private Duration timeout = Duration.ofSeconds(20);
    private String transport = "u1";
    private int rate;

    private Sipp(Sandbox sandbox, String scenario) {
        this.sandbox = sandbox;
        this.scenario = scenario;
    }

    /** A sipp run of {@code it/sipp/<name>} (e.g. "uac_message.xml"). */
    public static Sipp scenario(Sandbox sandbox, String name) {
        return new Sipp(sandbox, name);
    }

    /** Sets a scenario keyword ({@code -key name value}, used as [name] in the scenario). */
    public Sipp key(String name, String value) {
        keys.put(name, value);
        return this;
    }

    /** Where requests go (host:port); for a client scenario. Default: none (a server scenario). */
    public Sipp remote(String hostPort) {
        this.remote = hostPort;
        return this;
    }

    /** The sandbox's Kamailio as the remote. */
    public Sipp viaProxy() {
        return remote(sandbox.get("SIP_PROXY"));
    }

    /** The local port sipp binds (default: a free one, see {@link Run#localPort()}). */
    public Sipp localPort(int port) {
        this.localPort = port;
        return this;
    }

    /** How many calls (-m); default 1. */
    public Sipp calls(int n) {
        this.calls = n;
        return this;
    }

    /** Calls started per second (sipp -r; sipp's default is 10). */
    public Sipp rate(int callsPerSecond) {
        this.rate = callsPerSecond;
        return this;
    }

    /** sipp's global timeout (-timeout, with -timeout_error: a timeout is a failure). Default 20 s. */
    public Sipp timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    /** Use TCP (-t t1) instead of UDP. */
    public Sipp tcp() {
        this.transport = "t1";
        return this;
    }

    /** Starts sipp in the background. */
    public Run start() {
        String base = scenario.replace(".xml", "");
        Path dir = sandbox.newWorkDir("sipp_" + base.replaceAll("[^a-z0-9_]", "_"));
        Path sf = dir.resolve(scenario);
        try (InputStream in = Sipp.class.getResourceAsStream("/it/sipp/" + scenario)) {
            if (in == null) {
                throw new IllegalArgumentException("no scenario it/sipp/" + scenario + " on the test classpath");
            }
            Files.copy(in, sf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = localPort != 0 ? localPort : FreePorts.udpAndTcp();
        List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", sf.toString(), "-i", "127.0.0.1",
            "-p", Integer.toString(port), "-t", transport, "-m", Integer.toString(calls), "-nostdin",
            "-timeout", timeout.toSeconds() + "s", "-timeout_error",
            "-trace_logs", "-log_file", dir.resolve("log.txt").toString(),
            "-trace_err", "-error_file", dir.resolve("errors.txt").toString(),
            "-trace_msg", "-message_file", dir.resolve("messages.txt").toString()));
        if (rate > 0) {
            cmd.addAll(List.of("-r", Integer.toString(rate)));
        }
        keys.forEach((k, v) -> {
            cmd.add("-key");
            cmd.add(k);
            cmd.add(v);
        });
        if (remote != null) {
            cmd.add(remote);
        }
        return new Run(ManagedProcess.start(sandbox, "sipp", dir, cmd), dir, port);
    }

    /** Starts sipp and waits for it to end (timeout + 10 s at most); returns the finished run. */
    public Run run() {
        Run r = start();
        r.await(timeout.plusSeconds(10));
        return r;
    }

    /** One sipp process. */
    public static final class Run implements AutoCloseable {
        private final ManagedProcess process;
        private final Path dir;
        private final int localPort;
        private Integer exitCode;

        Run(ManagedProcess process, Path dir, int localPort) {
            this.process = process;
            this.dir = dir;
            this.localPort = localPort;
        }

        public int localPort() {
            return localPort;
        }

        /** Waits for sipp to exit and returns its exit code. */
        public int await(Duration timeout) {
            if (exitCode == null) {
                exitCode = process.waitFor(timeout);
            }
            return exitCode;
        }

        /** Waits and fails with sipp's logs unless it exited 0 (every call succeeded). */
        public Run assertSuccess(Duration timeout) {
            int rc = await(timeout);
            if (rc != 0) {
                throw new AssertionError("sipp exited " + rc + " (0 = success) in " + dir + "\n--- errors:\n"
                    + read("errors.txt") + "\n--- log:\n" + logText() + "\n--- messages:\n" + tail(read("messages.txt"))
                    + "\n--- screen:\n" + process.outputTail());
            }
            return this;
        }

        /** What the scenario's {@code <log>} actions wrote. */
        public String logText() {
            return read("log.txt");
        }

        public Path dir() {
            return dir;
        }

        private String read(String file) {
            try {
                Path p = dir.resolve(file);
                return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        private static String tail(String s) {
            return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
