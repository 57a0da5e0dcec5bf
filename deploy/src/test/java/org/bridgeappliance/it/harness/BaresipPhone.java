package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real SIP phone for tests: baresip 1.0 (Debian baresip-core), headless, registered at the sandbox's Kamailio as
 * {@code sip:<user>@SIP_DOMAIN}, driven through its {@code ctrl_tcp} socket (netstring-framed JSON commands) and
 * observed through its {@code cons} console socket, where baresip prints incoming MESSAGEs as
 * {@code sip:from@domain: "text"} (it reports them nowhere else). Configuration as in
 * /work/shared/reference/baresip: {@code net_interface 127.0.0.1} (not {@code lo}), no audio devices.
 *
 * <p>baresip binds its SIP port for UDP and TCP and the next port for TLS, so the control ports are chosen apart
 * from both. A daemon thread collects console output; {@link #awaitConsole} blocks until text shows up. One test
 * owns an instance; {@link #close()} stops baresip.
 */
public final class BaresipPhone implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CONSOLE_CHARS = 1 << 20;

    private final String user;
    private final Path dir;
    private final ManagedProcess process;
    private final int ctrlPort;
    private final int contactCount;
    private final StringBuilder console = new StringBuilder();
    private Socket consSocket;
    private Thread consReader;

    private BaresipPhone(String user, Path dir, ManagedProcess process, int ctrlPort, int contactCount) {
        this.user = user;
        this.contactCount = contactCount;
        this.dir = dir;
        this.process = process;
        this.ctrlPort = ctrlPort;
    }

    /** Starts baresip as {@code user}, connects its console, and waits until Kamailio accepted its REGISTER. */
    public static BaresipPhone startRegistered(Sandbox sandbox, String user, Duration timeout) {
        return startRegistered(sandbox, user, List.of(), timeout);
    }

    /**
     * As {@link #startRegistered(Sandbox, String, Duration)}, with an address book of SIP URIs (baresip sends
     * MESSAGEs only to contacts, see {@link #sendMessage}).
     */
    public static BaresipPhone startRegistered(Sandbox sandbox, String user, List<String> contacts, Duration timeout) {
        return start(sandbox, user, contacts, false, 0, timeout);
    }

    /**
     * As {@link #startRegistered(Sandbox, String, List, Duration)} with baresip's {@code presence} module and
     * {@code ;pubint=60} on the account: baresip PUBLISHes its presence (open after registering) to its own AOR at
     * the proxy; {@link #publishOnline}/{@link #publishOffline} change it (PIDF open/closed).
     */
    public static BaresipPhone startPublishing(Sandbox sandbox, String user, List<String> contacts, Duration timeout) {
        return start(sandbox, user, contacts, false, 60, timeout);
    }

    /**
     * As {@link #startRegistered(Sandbox, String, List, Duration)} with baresip's {@code presence} module and every
     * contact marked {@code ;presence=p2p}: baresip SUBSCRIBEs to each contact's presence (Expires 600) through
     * the proxy and shows the NOTIFYs' state in its contact list ({@link #presenceOf}).
     */
    public static BaresipPhone startWatching(Sandbox sandbox, String user, List<String> contacts, Duration timeout) {
        return start(sandbox, user, contacts, true, 0, timeout);
    }

    private static BaresipPhone start(Sandbox sandbox, String user, List<String> contacts, boolean watch,
                                      int pubint, Duration timeout) {
        // Ports are checked free and then bound by baresip: another process can take one in between. A start that
        // fails only because a port was taken is tried again with new ports (twice at most); any other failure is not.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(sandbox, user, contacts, watch, pubint, timeout);
            } catch (AssertionError e) {
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static BaresipPhone startOnce(Sandbox sandbox, String user, List<String> contacts, boolean watch,
                                          int pubint, Duration timeout) {
        Path dir = sandbox.newWorkDir("baresip");
        int sip = FreePorts.udpAndTcpWithNextTcp();
        int ctrl;
        int cons;
        do {
            ctrl = FreePorts.udpAndTcp();
            cons = FreePorts.udpAndTcp();
        } while (ctrl == sip + 1 || cons == sip + 1 || ctrl == cons || ctrl == cons + 1 || cons == ctrl + 1);
        String config = String.join("\n",
            "poll_method\t\tepoll",
            "sip_listen\t\t127.0.0.1:" + sip,
            "sip_trans_def\t\tudp",
            "call_local_timeout\t120",
            "audio_player\t\taufile,/dev/null",
            "audio_source\t\tausine,440",
            "audio_alert\t\taufile,/dev/null",
            "module_path\t\t/usr/lib/baresip/modules",
            "module\t\t\tg711.so",
            "module\t\t\taufile.so",
            "module\t\t\tausine.so",
            "module_app\t\taccount.so",
            "module_app\t\tmenu.so",
            "module_app\t\tcontact.so",
            "module\t\t\tcons.so",
            "module_app\t\tctrl_tcp.so",
            "ctrl_tcp_listen\t\t127.0.0.1:" + ctrl,
            "cons_listen\t\t127.0.0.1:" + cons,
            watch || pubint > 0 ? "module_app\t\tpresence.so" : "",
            "dns_server\t\t127.0.0.1:53",
            "net_interface\t\t127.0.0.1",
            "");
        String account = "<sip:" + user + "@" + sandbox.get("SIP_DOMAIN") + ">;outbound=\"sip:" + sandbox.get("SIP_PROXY")
            + ";transport=udp\";regint=300;auth_pass=x;answermode=manual" + (pubint > 0 ? ";pubint=" + pubint : "") + "\n";
        try {
            Files.writeString(dir.resolve("config"), config, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("accounts"), account, StandardCharsets.UTF_8);
            StringBuilder book = new StringBuilder();
            for (String uri : contacts) {
                if (!uri.matches("sips?:[^\\s<>\"]+")) {
                    throw new IllegalArgumentException("not a plain SIP URI: " + uri);
                }
                book.append('<').append(uri).append('>').append(watch ? ";presence=p2p" : "").append('\n');
            }
            Files.writeString(dir.resolve("contacts"), book.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManagedProcess p = ManagedProcess.start(sandbox, "baresip", dir, List.of("baresip", "-f", dir.toString()));
        BaresipPhone phone = new BaresipPhone(user, dir, p, ctrl, contacts.size());
        try {
            Instant deadline = Instant.now().plus(timeout);
            phone.connectConsole(cons, deadline);
            phone.awaitRegistered(deadline, timeout);
            return phone;
        } catch (RuntimeException | Error e) {
            phone.close();
            throw e;
        }
    }

    private void connectConsole(int port, Instant deadline) {
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("baresip exited at start; output:\n" + process.outputTail());
            }
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                consSocket = s;
                break;
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("baresip console 127.0.0.1:" + port + " not reachable; output:\n"
                        + process.outputTail());
                }
                pause();
            }
        }
        consReader = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = consSocket.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (console) {
                        if (console.length() < MAX_CONSOLE_CHARS) {
                            console.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        }
                        console.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // socket closed by close()
            }
        }, "baresip-cons-" + user);
        consReader.setDaemon(true);
        consReader.start();
    }

    private void awaitRegistered(Instant deadline, Duration timeout) {
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("baresip exited; output:\n" + process.outputTail());
            }
            try {
                last = command("reginfo", "").path("data").asText("");
                // reginfo lists each user agent with OK (green) once the registrar answered 200
                if (last.contains("OK ")) {
                    return;
                }
            } catch (UncheckedIOException e) {
                last = e.getMessage(); // ctrl_tcp not listening yet
            }
            pause();
        }
        throw new AssertionError("baresip (" + user + ") not registered within " + timeout + "; reginfo: " + last
            + "\noutput:\n" + process.outputTail());
    }

    /**
     * Sends one ctrl_tcp command ({"command","params","token"} as a netstring) and returns its response object
     * (events arriving before it are skipped).
     */
    public JsonNode command(String command, String params) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ctrlPort), 1000);
            s.setSoTimeout(5000);
            byte[] json = JSON.writeValueAsBytes(JSON.createObjectNode().put("command", command)
                .put("params", params).put("token", "it"));
            OutputStream out = s.getOutputStream();
            out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.write(',');
            out.flush();
            InputStream in = s.getInputStream();
            while (true) {
                JsonNode msg = JSON.readTree(readNetstring(in));
                if (msg.path("response").asBoolean(false)) {
                    return msg;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("baresip ctrl_tcp 127.0.0.1:" + ctrlPort + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readNetstring(InputStream in) throws IOException {
        int len = 0;
        int c;
        int digits = 0;
        while ((c = in.read()) != ':') {
            if (c < '0' || c > '9' || ++digits > 7) {
                throw new IOException("bad netstring length from baresip");
            }
            len = len * 10 + (c - '0');
        }
        byte[] b = in.readNBytes(len);
        if (b.length != len || in.read() != ',') {
            throw new IOException("truncated netstring from baresip");
        }
        return b;
    }

    /**
     * Sends a pager-mode MESSAGE (text/plain) to {@code contactUri}, which must be in the address book given at
     * start: baresip's {@code /message} goes to the "current contact", so contacts are stepped through until it
     * is the one. Returns once baresip accepted the command (the MESSAGE's delivery is the caller's to observe).
     */
    public void sendMessage(String contactUri, String text) {
        String current = "";
        for (int i = 0; i <= contactCount; i++) {
            current = command("contact_next", "").path("data").asText("");
            if (current.contains("<" + contactUri + ">")) {
                JsonNode r = command("message", text);
                if (!r.path("ok").asBoolean(false)) {
                    throw new AssertionError("baresip refused /message: " + r);
                }
                return;
            }
        }
        throw new IllegalArgumentException(contactUri + " is not in baresip's contacts (last: " + current.strip() + ")");
    }

    /**
     * What baresip's contact list shows for {@code contactUri} ({@link #startWatching}): {@code Unknown} (no NOTIFY
     * yet, or one without body), {@code Online} (PIDF open), {@code Busy} (busy, on the phone), {@code Offline}
     * (closed, and baresip 1.0 also shows {@code <rpid:away/>} as closed).
     */
    public String presenceOf(String contactUri) {
        String list = command("contacts", "").path("data").asText("").replaceAll("\u001b\\[[0-9;]*m", "");
        for (String line : list.split("\n")) {
            if (line.contains("<" + contactUri + ">")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(Unknown|Online|Busy|Offline)")
                    .matcher(line);
                return m.find() ? m.group(1) : line.strip();
            }
        }
        throw new AssertionError(contactUri + " is not in baresip's contact list:\n" + list);
    }

    /**
     * Waits until {@link #presenceOf} shows {@code status} for {@code contactUri}; returns how long it took.
     * Polls the contact list (baresip reports presence changes on no event channel).
     */
    public Duration awaitPresence(String contactUri, String status, Duration timeout) {
        return awaitPresence(contactUri, status, Instant.now(), timeout);
    }

    /**
     * Waits until {@link #presenceOf} shows {@code status} for {@code contactUri}; returns the time from
     * {@code since} (when the caller sent the change) to the end of the poll that saw it, so the figure bounds
     * the whole path from above (the change and the polling included, nothing left out at the start).
     */
    public Duration awaitPresence(String contactUri, String status, Instant since, Duration timeout) {
        Instant start = since;
        Instant deadline = Instant.now().plus(timeout);
        String last;
        while (!(last = presenceOf(contactUri)).equals(status)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("baresip (" + user + ") did not show " + contactUri + " as " + status
                    + " within " + timeout + "; shows " + last + "\noutput:\n" + process.outputTail());
            }
            shortPause();
        }
        return Duration.between(start, Instant.now());
    }

    private static void shortPause() {
        // polling interval of a condition wait bounded by the caller's deadline
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }

    /** baresip's {@code /presence_online}: PUBLISH open ({@link #startPublishing}). */
    public void publishOnline() {
        command("presence_online", "");
    }

    /** baresip's {@code /presence_offline}: PUBLISH closed ({@link #startPublishing}). */
    public void publishOffline() {
        command("presence_offline", "");
    }

    /** Waits until the console output contains {@code text}; returns the whole output so far. */
    public String awaitConsole(String text, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (console) {
            while (console.indexOf(text) < 0) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new AssertionError("baresip (" + user + ") console did not show '" + text + "' within "
                        + timeout + "; console:\n" + console);
                }
                try {
                    console.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            return console.toString();
        }
    }

    public String user() {
        return user;
    }

    public Path dir() {
        return dir;
    }

    private static void pause() {
        // polling interval while baresip starts/registers (bounded by the caller's deadline)
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            if (consSocket != null) {
                consSocket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        process.close();
    }
}
