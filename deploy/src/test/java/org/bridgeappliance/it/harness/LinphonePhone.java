package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A real SIP phone for tests: Debian's {@code linphonec} (package linphone-cli, liblinphone 5.1), headless,
 * registered at the sandbox's Kamailio as {@code sip:<user>@SIP_DOMAIN}, driven by commands on its standard input
 * and observed through its standard output, where it prints an incoming MESSAGE as
 * {@code Message received from <From>: <text>}.
 *
 * <p>Headless: linphonec opens no window unless started with {@code -V/-C/-D}; at start it reports that it found no
 * usable sound card ({@code Could not find a suitable soundcard}, harmless for messages) and is then told
 * {@code soundcard use files} (calls would use WAV files, never a device). Its own config file
 * ({@code <dir>/linphonerc}, {@code -c}) and {@code HOME=<dir>} (chat and call-history databases under
 * {@code <dir>/.local/share/linphone}) keep it apart from the user's Linphone. SIP on UDP only, bound to
 * 127.0.0.1 on a free port (TCP and TLS disabled with port 0). Its debug log ({@code -d 5}, with SIP traces) goes
 * to {@code <dir>/linphone.log}.
 *
 * <p>One test owns an instance; {@link #close()} sends {@code quit} (linphonec then un-REGISTERs) and stops the
 * process if it does not exit.
 */
public final class LinphonePhone implements AutoCloseable {

    private static final String RECEIVED = "Message received from ";

    private final String user;
    private final Path dir;
    private final ManagedProcess process;

    private LinphonePhone(String user, Path dir, ManagedProcess process) {
        this.user = user;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts linphonec as {@code user} (password {@code password}, used if Kamailio challenges) and waits until
     * {@code status register} reports the registration accepted.
     */
    public static LinphonePhone startRegistered(Sandbox sandbox, String user, String password, Duration timeout) {
        if (!user.matches("[A-Za-z0-9._-]+") || !password.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("user/password must be plain tokens: " + user);
        }
        Path dir = sandbox.newWorkDir("linphone");
        int sip = FreePorts.udpAndTcp();
        String domain = sandbox.get("SIP_DOMAIN");
        String rc = String.join("\n",
            "[sip]",
            "sip_port=" + sip,
            "sip_tcp_port=0",
            "sip_tls_port=0",
            "bind_address=127.0.0.1",
            "use_ipv6=0",
            "guess_hostname=0",
            "contact=<sip:" + user + "@127.0.0.1>",
            "register_only_when_network_is_up=0",
            "default_proxy=0",
            "",
            "[net]",
            "auto_net_state_mon=0",
            "",
            "[proxy_0]",
            "reg_proxy=<sip:" + sandbox.get("SIP_PROXY") + ";transport=udp>",
            // reg_route: every request (MESSAGE too) goes through Kamailio, which knows *.bridge.sip.test
            "reg_route=<sip:" + sandbox.get("SIP_PROXY") + ";transport=udp;lr>",
            "reg_identity=<sip:" + user + "@" + domain + ">",
            "reg_expires=300",
            "reg_sendregister=1",
            "publish=0",
            "",
            "[auth_info_0]",
            "username=" + user,
            "passwd=" + password,
            "domain=" + domain,
            "",
            "[video]",
            "display=0",
            "capture=0",
            "");
        try {
            Files.createDirectories(dir.resolve(".local/share/linphone"));
            Files.writeString(dir.resolve("linphonerc"), rc, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManagedProcess p = ManagedProcess.start(sandbox, "linphonec", dir,
            List.of("linphonec", "-c", dir.resolve("linphonerc").toString(), "-d", "5",
                "-l", dir.resolve("linphone.log").toString()),
            Map.of("HOME", dir.toString(), "XDG_DATA_HOME", dir.resolve(".local/share").toString(),
                "XDG_CONFIG_HOME", dir.resolve(".config").toString(), "DISPLAY", ""), true);
        LinphonePhone phone = new LinphonePhone(user, dir, p);
        try {
            phone.command("soundcard use files");
            phone.awaitOutput("Using wav files instead of soundcard", timeout);
            phone.awaitRegistered(timeout);
            return phone;
        } catch (RuntimeException | Error e) {
            phone.close();
            throw e;
        }
    }

    private void awaitRegistered(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String expected = "registered, identity=";
        Instant nextAsk = Instant.MIN;
        while (!output().contains(expected)) {
            if (!process.isAlive()) {
                throw new AssertionError("linphonec exited; output:\n" + process.outputTail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("linphonec (" + user + ") not registered within " + timeout + "; output:\n"
                    + process.outputTail());
            }
            if (Instant.now().isAfter(nextAsk)) {
                command("status register"); // prints "registered=0" until the registrar answered 200
                nextAsk = Instant.now().plusMillis(300);
            }
            shortPause();
        }
    }

    /** Writes one command line to linphonec's standard input. */
    public void command(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("one line per command");
        }
        try {
            process.stdin().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.stdin().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("linphonec (" + user + ") stdin: " + e.getMessage()
                + "; output:\n" + process.outputTail(), e);
        }
    }

    /**
     * Sends a pager-mode MESSAGE to {@code uri} ({@code chat <uri> <text>}; linphonec takes the rest of the line
     * as the text). Returns once the command is written; the caller observes delivery.
     */
    public void sendMessage(String uri, String text) {
        if (!uri.matches("sips?:[^\\s<>\"]+")) {
            throw new IllegalArgumentException("not a plain SIP URI: " + uri);
        }
        command("chat " + uri + " " + text);
    }

    /**
     * Waits until linphonec printed a message from {@code fromUri} (the From header as linphonec prints it
     * contains it, possibly with a display name) whose text is exactly {@code text}; returns that line.
     */
    public String awaitMessage(String fromUri, String text, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            for (String line : output().split("\n")) {
                int at = line.indexOf(RECEIVED);
                if (at >= 0 && line.indexOf(fromUri, at) >= 0 && line.endsWith(": " + text)) {
                    return line.substring(at);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("linphonec (" + user + ") did not print a message from " + fromUri + ": '"
                    + text + "' within " + timeout + "; output:\n" + process.outputTail());
            }
            if (!process.isAlive()) {
                throw new AssertionError("linphonec exited; output:\n" + process.outputTail());
            }
            shortPause();
        }
    }

    /** Waits until linphonec's output contains {@code text}; returns the whole output so far. */
    public String awaitOutput(String text, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String out;
        while (!(out = output()).contains(text)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("linphonec (" + user + ") did not print '" + text + "' within " + timeout
                    + "; output:\n" + process.outputTail());
            }
            if (!process.isAlive()) {
                throw new AssertionError("linphonec exited; output:\n" + process.outputTail());
            }
            shortPause();
        }
        return out;
    }

    /** Everything linphonec printed so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(process.outputFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** linphonec's debug log ({@code -d 5}): SIP messages as sent and received, for assertions on the wire. */
    public String debugLog() {
        try {
            return Files.readString(dir.resolve("linphone.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The Content-Type header of every MESSAGE linphonec sent to {@code requestUri}, in order, from its SIP trace
     * (retransmissions included; a body after the headers is not parsed).
     */
    public List<String> sentContentTypes(String requestUri) {
        List<String> types = new java.util.ArrayList<>();
        String log = debugLog().replace("\r\n", "\n"); // SIP messages in the trace end lines with CRLF
        String start = "\nMESSAGE " + requestUri + " SIP/2.0\n";
        for (int at = log.indexOf(start); at >= 0; at = log.indexOf(start, at + 1)) {
            int end = log.indexOf("\n\n", at + start.length());
            String headers = log.substring(at + start.length(), end < 0 ? log.length() : end);
            for (String line : headers.split("\n")) {
                if (line.regionMatches(true, 0, "Content-Type:", 0, 13)) {
                    types.add(line.substring(13).strip());
                }
            }
        }
        return types;
    }

    /**
     * The final status of each MESSAGE linphonec sent with Content-Type {@code contentType} (by Call-ID, in the
     * order sent; no entry yet for one still unanswered), from its SIP trace.
     */
    public List<Integer> finalResponses(String contentType) {
        String log = debugLog().replace("\r\n", "\n");
        String aor = "<sip:" + user + "@";
        Map<String, String> sentType = new java.util.LinkedHashMap<>();
        Map<String, Integer> status = new java.util.HashMap<>();
        for (String block : log.split("\n(?=MESSAGE sip:|SIP/2\\.0 )")) {
            int end = block.indexOf("\n\n");
            Map<String, String> h = new java.util.HashMap<>();
            String[] lines = (end < 0 ? block : block.substring(0, end)).split("\n");
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    h.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
                }
            }
            String from = h.getOrDefault("from", "");
            String callId = h.get("call-id");
            if (callId == null || !from.startsWith(aor) && !from.contains(" " + aor)) {
                continue;
            }
            if (lines[0].startsWith("MESSAGE ")) {
                sentType.putIfAbsent(callId, h.getOrDefault("content-type", ""));
            } else if (h.getOrDefault("cseq", "").endsWith(" MESSAGE")) {
                int code = Integer.parseInt(lines[0].substring(8, 11));
                if (code >= 200) {
                    status.putIfAbsent(callId, code);
                }
            }
        }
        List<Integer> codes = new java.util.ArrayList<>();
        sentType.forEach((callId, type) -> {
            if (type.equals(contentType) && status.containsKey(callId)) {
                codes.add(status.get(callId));
            }
        });
        return codes;
    }

    /** Waits until a MESSAGE linphonec sent with {@code contentType} got a final response; returns its status. */
    public int awaitFinalResponse(String contentType, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<Integer> codes;
        while ((codes = finalResponses(contentType)).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("linphonec (" + user + ") got no final response to a " + contentType
                    + " MESSAGE within " + timeout + "; see " + dir.resolve("linphone.log"));
            }
            shortPause();
        }
        return codes.get(0);
    }

    public String user() {
        return user;
    }

    public Path dir() {
        return dir;
    }

    private static void shortPause() {
        // polling interval of a condition wait bounded by the caller's deadline (linphonec's output is a file)
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                command("quit");
                process.waitFor(Duration.ofSeconds(10));
            }
        } catch (RuntimeException | AssertionError e) {
            // did not quit in time or stdin closed: stopped below
        } finally {
            process.close();
        }
    }
}
