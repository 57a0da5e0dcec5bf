package org.bridgeappliance.it.bridge;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;

/**
 * Every message and presence stanza one XMPP connection receives, in arrival order (a synchronous stanza
 * listener: Smack calls it in stream order), with waits on conditions bounded by deadlines.
 *
 * <p>Thread-safe: Smack's reader thread appends, the test thread waits.
 */
final class XmppInbox {
    private final List<Stanza> stanzas = new ArrayList<>();

    XmppInbox(XMPPConnection connection) {
        connection.addSyncStanzaListener(s -> {
            synchronized (stanzas) {
                stanzas.add(s);
                stanzas.notifyAll();
            }
        }, s -> s instanceof Message || s instanceof Presence);
    }

    /** The first message (received before or later) matching {@code match}; fails after {@code timeout}. */
    Message awaitMessage(String what, Predicate<Message> match, Duration timeout) {
        return (Message) await(what, s -> s instanceof Message m && match.test(m), timeout);
    }

    Presence awaitPresence(String what, Predicate<Presence> match, Duration timeout) {
        return (Presence) await(what, s -> s instanceof Presence p && match.test(p), timeout);
    }

    Stanza await(String what, Predicate<Stanza> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (stanzas) {
            int checked = 0;
            while (true) {
                for (; checked < stanzas.size(); checked++) {
                    if (match.test(stanzas.get(checked))) {
                        return stanzas.get(checked);
                    }
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new AssertionError("XMPP client did not receive " + what + " within " + timeout
                        + "; last stanzas: " + tail(12));
                }
                try {
                    stanzas.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Messages matching {@code match} received so far. */
    List<Message> messages(Predicate<Message> match) {
        synchronized (stanzas) {
            return stanzas.stream().filter(s -> s instanceof Message m && match.test(m)).map(s -> (Message) s).toList();
        }
    }

    /** Waits until at least {@code n} messages match, then returns all that match; fails after timeout. */
    List<Message> awaitCount(String what, Predicate<Message> match, int n, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (stanzas) {
            while (true) {
                List<Message> found = messages(match);
                if (found.size() >= n) {
                    return found;
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new AssertionError("XMPP client received " + found.size() + " of " + n + " " + what
                        + " within " + timeout + "; last stanzas: " + tail(8));
                }
                try {
                    stanzas.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Waits until nothing new arrived for {@code quiet} (bounded by {@code max}); for "no duplicates" checks. */
    void awaitQuiet(Duration quiet, Duration max) {
        Instant end = Instant.now().plus(max);
        synchronized (stanzas) {
            int size = stanzas.size();
            Instant quietEnd = Instant.now().plus(quiet);
            while (Instant.now().isBefore(end) && Instant.now().isBefore(quietEnd)) {
                try {
                    stanzas.wait(Math.max(1, Duration.between(Instant.now(), quietEnd).toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
                if (stanzas.size() != size) {
                    size = stanzas.size();
                    quietEnd = Instant.now().plus(quiet);
                }
            }
        }
    }

    String tail(int n) {
        synchronized (stanzas) {
            StringBuilder b = new StringBuilder();
            for (Stanza s : stanzas.subList(Math.max(0, stanzas.size() - n), stanzas.size())) {
                b.append("\n  ").append(s.toXML());
            }
            return b.toString();
        }
    }
}
