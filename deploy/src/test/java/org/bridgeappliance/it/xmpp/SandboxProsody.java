package org.bridgeappliance.it.xmpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bridgeappliance.it.harness.Sandbox;

/**
 * Stops and starts the sandbox's Prosody through {@code deploy/sandbox.sh stop|start prosody}: the script signals only
 * the process it recorded (PID file + command line naming this run directory's config) and starts it again with the
 * same configuration, data (accounts, persistent MUC rooms, MAM archives) and ports, under the sandbox's up/down lock.
 * The caller holds the integration-test lock ({@link Sandbox#get()}), so no other test JVM sees the outage.
 */
final class SandboxProsody {
    private static final Duration SCRIPT_DEADLINE = Duration.ofSeconds(60);

    private final Sandbox sandbox;

    SandboxProsody(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    void stop() {
        run("stop");
    }

    /** Starts Prosody if it does not run (a no-op when it does), and waits until it answers. */
    void start() {
        run("start");
    }

    /** True if Prosody's client port accepts connections. */
    boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(sandbox.get("XMPP_HOST"), sandbox.getInt("XMPP_PORT")), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The XMPP adapter status the running appliance reports on /health ("CONNECTED", "RECONNECTING", ...), empty if
     * the appliance does not run or does not answer. A Prosody restart drops the appliance's component too.
     */
    Optional<String> applianceXmppStatus() {
        if (!sandbox.applianceRunning()) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(
                    HttpRequest.newBuilder(URI.create(sandbox.get("ADMIN_URL") + "/health"))
                            // adapter details are shown to admins only (endpoints.health.details-visible)
                            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                                    (sandbox.get("ADMIN_USER") + ":" + sandbox.get("ADMIN_PASSWORD"))
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode status = new ObjectMapper().readTree(r.body()).path("details").path("adapters").path("details")
                    .path("xmpp").path("status");
            return status.isTextual() ? Optional.of(status.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Waits (bounded) until the appliance's XMPP component is CONNECTED again, so that tests after a restart find the
     * sandbox as they expect it; reports on stderr instead of failing when it does not come back in time.
     */
    void awaitApplianceXmppConnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!applianceXmppStatus().map("CONNECTED"::equals).orElse(false)) {
            if (System.nanoTime() > deadline) {
                System.err.println("[it] the appliance's XMPP component is not CONNECTED " + timeout
                        + " after the Prosody restart: " + applianceXmppStatus().orElse("(no answer)"));
                return;
            }
            LockSupport.parkNanos(100_000_000L); // poll, bounded by the deadline
        }
    }

    private void run(String command) {
        Path log = sandbox.runDir().resolve("tests").resolve(Sandbox.uniqueName("prosody_" + command) + ".log");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder("bash", sandbox.repoRoot().resolve("deploy/sandbox.sh").toString(), command,
                    "prosody").directory(sandbox.repoRoot().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(SCRIPT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("deploy/sandbox.sh " + command + " prosody took longer than "
                        + SCRIPT_DEADLINE + "; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("deploy/sandbox.sh " + command + " prosody exited " + p.exitValue()
                        + ":\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
