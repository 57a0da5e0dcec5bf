package org.bridgeappliance.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinkSignerTest {
    private final LinkSigner signer = new LinkSigner("test-link-key", "s3cret");

    @Test
    void signaturesVerifyAndAreStableAcrossInstances() {
        String sig = signer.sign("mxc://matrix.test/abc");
        assertEquals(22, sig.length());
        assertTrue(sig.matches("[A-Za-z0-9_-]+"), sig);
        assertTrue(signer.verify("mxc://matrix.test/abc", sig));
        assertEquals(sig, new LinkSigner("test-link-key", "s3cret").sign("mxc://matrix.test/abc"),
                "links survive a restart");
    }

    @Test
    void forgeriesAndOtherKeysFail() {
        String sig = signer.sign("a");
        assertFalse(signer.verify("b", sig));
        assertFalse(signer.verify("a", sig.substring(1)));
        assertFalse(signer.verify("a", null));
        assertFalse(signer.verify(null, sig));
        assertFalse(new LinkSigner("test-link-key", "other").verify("a", sig), "another secret");
        assertNotEquals(sig, new LinkSigner("other-link-key", "s3cret").sign("a"), "another kind of link");
    }
}
