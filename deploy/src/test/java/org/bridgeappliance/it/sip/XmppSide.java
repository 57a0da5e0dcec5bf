package org.bridgeappliance.it.sip;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.packet.Message;
import org.jxmpp.jid.Jid;

/**
 * One XMPP user of the SIP tests (Smack through {@link XmppUsers}): every message with a body it receives is
 * queued from the moment it logged in, so a wait never misses one that arrived earlier. One test thread drives it;
 * the {@link XmppUsers} it came from disconnects it.
 */
final class XmppSide {
    final XmppUsers.User user;
    private final Sandbox sandbox;
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();

    XmppSide(Sandbox sandbox, XmppUsers users, String prefix) {
        this.sandbox = sandbox;
        this.user = users.registerAndLogin(prefix);
        user.connection().addAsyncStanzaListener(st -> inbox.add((Message) st),
            st -> st instanceof Message m && m.getBody() != null);
    }

    /** This user's puppet on the SIP side: {@code sip:<localpart>*<domain>@xmpp.<BRIDGE_SIP_DOMAIN>}. */
    String sipPuppet() {
        return "sip:" + user.jid().getLocalpart() + "*" + user.jid().getDomain() + "@xmpp."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
    }

    /** The next received message matching {@code match} (non-matching ones are dropped); fails after timeout. */
    Message await(String what, Predicate<Message> match, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            Message m = left <= 0 ? null : inbox.poll(left, TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError(user.jid() + " did not get " + what + " within " + timeout);
            }
            if (match.test(m)) {
                return m;
            }
        }
    }

    /** Sends a chat message to {@code to}'s bare JID. */
    void sendChat(Jid to, String body) throws SmackException.NotConnectedException, InterruptedException {
        user.connection().sendStanza(user.connection().getStanzaFactory().buildMessageStanza()
            .to(to.asBareJid()).ofType(Message.Type.chat).setBody(body).build());
    }
}
