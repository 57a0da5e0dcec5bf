package org.bridgeappliance.it.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.it.harness.Sandbox;

/**
 * Stops one of the sandbox's services and brings it back, for the reliability tests. deploy/sandbox.sh has no
 * per-service restart; its {@code up} already "starts only what is not running" with the same configuration, data
 * and ports, so a restart is: stop the recorded process here, then {@code deploy/sandbox.sh up}.
 *
 * <p>Only the process recorded in {@code RUN_DIR/pids/<service>.pid} is signalled, and only if its command line
 * names the service's own config file in this run directory (as deploy/sandbox.sh checks before it stops anything),
 * so a recycled PID is never hit.
 */
public final class SandboxControl {
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
    private static final Duration UP_DEADLINE = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sandbox sandbox;

    public SandboxControl(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** The config path that the service's command line contains (as deploy/sandbox.sh's match_of). */
    private String marker(String service) {
        return switch (service) {
            case "synapse" -> sandbox.runDir().resolve("synapse/homeserver.yaml").toString();
            case "appliance" -> sandbox.runDir().resolve("appliance/appliance.yml").toString();
            default -> throw new IllegalArgumentException("not supported here: " + service);
        };
    }

    /** The running, verified process of {@code service}. */
    Optional<ProcessHandle> process(String service) {
        Path pidFile = sandbox.runDir().resolve("pids/" + service + ".pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
            Path cmdline = Path.of("/proc/" + pid + "/cmdline");
            if (!Files.isReadable(cmdline)) {
                return Optional.empty();
            }
            String cmd = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ');
            if (!cmd.contains(marker(service))) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops {@code service}: SIGTERM (graceful) or SIGKILL; waits until the process is gone. */
    public void stop(String service, boolean kill) {
        ProcessHandle p = process(service)
            .orElseThrow(() -> new IllegalStateException(service + " does not run (no verified PID record)"));
        boolean sent = kill ? p.destroyForcibly() : p.destroy();
        if (!sent) {
            throw new IllegalStateException("could not signal " + service + " (PID " + p.pid() + ")");
        }
        try {
            p.onExit().get(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (!kill) {
                p.destroyForcibly();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                    return;
                } catch (Exception e2) {
                    // reported below
                }
            }
            throw new IllegalStateException(service + " (PID " + p.pid() + ") did not exit", e);
        }
    }

    /** deploy/sandbox.sh up: starts whatever is not running (same config, data and ports). */
    public void up() {
        Path log = sandbox.runDir().resolve("tests").resolve(Sandbox.uniqueName("up") + ".log");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder("bash", sandbox.repoRoot().resolve("deploy/sandbox.sh").toString(), "up")
                .directory(sandbox.repoRoot().toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(UP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("deploy/sandbox.sh up took longer than " + UP_DEADLINE + "; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("deploy/sandbox.sh up exited " + p.exitValue() + "; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Waits until the admin API reports both adapters CONNECTED. */
    public void awaitAdaptersConnected(BridgeFixture f, Duration timeout) {
        BridgeFixture.awaitCondition("both adapters CONNECTED", () -> {
            try {
                HttpResponse<String> r = f.admin("GET", "/api/v1/adapters", null);
                if (r.statusCode() != 200) {
                    return false;
                }
                int connected = 0;
                for (JsonNode a : JSON.readTree(r.body()).path("adapters")) {
                    String network = a.path("network").asText();
                    if ((network.equals("xmpp") || network.equals("matrix"))
                        && "CONNECTED".equals(a.path("status").asText())) {
                        connected++;
                    }
                }
                return connected == 2;
            } catch (IOException | RuntimeException | AssertionError e) {
                return false; // not up yet
            }
        }, timeout);
    }

    static Instant now() {
        return Instant.now();
    }
}
