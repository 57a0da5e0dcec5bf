package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Independent XMPP clients (Smack, not the bridge's code) for the integration tests: creates accounts on the
 * sandbox's Prosody by in-band registration (XEP-0077) and logs them in over plain TCP on loopback
 * (SecurityMode.disabled; the sandbox has no TLS).
 *
 * <p>Every user gets a name from {@link Sandbox#uniqueName(String)}, so tests never share accounts. Use one
 * instance per test (try-with-resources or @AfterEach): {@link #close()} disconnects every connection it made.
 * Methods block for the network round trips (a few ms on loopback); not thread-safe.
 */
public final class XmppUsers implements AutoCloseable {

    private final Sandbox sandbox;
    private final List<XMPPTCPConnection> connections = new ArrayList<>();

    public XmppUsers(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** A logged-in user. */
    public record User(String localpart, String password, EntityBareJid jid, XMPPTCPConnection connection) {
        @Override
        public String toString() {
            return "User[" + jid + "]";
        }
    }

    /** Registers a new account named {@code uniqueName(prefix)} and logs it in with resource "test". */
    public User registerAndLogin(String prefix) {
        String localpart = Sandbox.uniqueName(prefix);
        String password = Sandbox.uniqueName("pw");
        XMPPTCPConnection c = newConnection();
        try {
            c.connect();
            AccountManager am = AccountManager.getInstance(c);
            // Credentials travel in clear text only over 127.0.0.1 (the sandbox has no TLS).
            am.sensitiveOperationOverInsecureConnection(true);
            am.createAccount(Localpart.from(localpart), password);
            c.login(localpart, password, org.jxmpp.jid.parts.Resourcepart.from("test"));
            return new User(localpart, password, JidCreate.entityBareFrom(localpart + "@" + sandbox.get("XMPP_DOMAIN")), c);
        } catch (XMPPException | SmackException | IOException e) {
            throw new AssertionError("XMPP registration/login of " + localpart + " at " + address() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Logs in an existing account (e.g. a demo user). */
    public User login(String localpart, String password) {
        XMPPTCPConnection c = newConnection();
        try {
            c.connect();
            c.login(localpart, password, org.jxmpp.jid.parts.Resourcepart.from("test"));
            return new User(localpart, password, JidCreate.entityBareFrom(localpart + "@" + sandbox.get("XMPP_DOMAIN")), c);
        } catch (XMPPException | SmackException | IOException e) {
            throw new AssertionError("XMPP login of " + localpart + " at " + address() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private String address() {
        return sandbox.get("XMPP_HOST") + ":" + sandbox.get("XMPP_PORT");
    }

    private XMPPTCPConnection newConnection() {
        try {
            XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(sandbox.get("XMPP_DOMAIN"))
                // an address, not a host name: no DNS (SRV) lookups in tests
                .setHostAddress(InetAddress.getByName(sandbox.get("XMPP_HOST")))
                .setPort(sandbox.getInt("XMPP_PORT"))
                .setSecurityMode(SecurityMode.disabled)
                .setConnectTimeout(10_000)
                .setSendPresence(true)
                .build();
            XMPPTCPConnection c = new XMPPTCPConnection(config);
            c.setReplyTimeout(10_000);
            synchronized (connections) {
                connections.add(c);
            }
            return c;
        } catch (XmppStringprepException | java.net.UnknownHostException e) {
            throw new IllegalStateException("bad XMPP settings in .sandbox/env: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (connections) {
            for (XMPPTCPConnection c : connections) {
                if (c.isConnected()) {
                    c.disconnect();
                }
            }
            connections.clear();
        }
    }
}
