package org.prhelper.handoff;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.util.Arrays;

import org.junit.Test;

public class HandoffRequestTest {
    private static final String PATH = "/var/lib/libvirt/qemu/domain-3-web1/pr-helper0.sock";

    @Test
    public void readsThePathOnceTheMessageIsComplete() {
        byte[] m = HandoffRequest.encode(PATH);
        assertEquals(7 + PATH.length(), m.length);
        assertEquals("PRVM", new String(m, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < m.length; i++) {
            assertNull("after " + i + " bytes", HandoffRequest.path(Arrays.copyOf(m, m.length + 1), i));
        }
        assertEquals(PATH, HandoffRequest.path(m, m.length));
    }

    @Test
    public void refusesWhatPrhelperVmNeverSends() {
        byte[] m = HandoffRequest.encode(PATH);
        refused(new byte[] {'Q'}, 1, "not a prhelper-vm handoff request (no PRVM magic)");
        byte[] v2 = m.clone();
        v2[4] = 2;
        refused(v2, 5 + 2, "handoff protocol version 2 is not supported (this agent speaks 1)");
        refused(new byte[] {'P', 'R', 'V', 'M', 1, 0, 0}, 7, "socket path length 0 is not within 1..107");
        refused(new byte[] {'P', 'R', 'V', 'M', 1, 0, 108}, 7, "socket path length 108 is not within 1..107");
        byte[] longer = Arrays.copyOf(m, m.length + 1);
        refused(longer, longer.length, "unexpected bytes after the request");
        byte[] relative = HandoffRequest.encode("x.sock");
        refused(relative, relative.length, "socket path 'x.sock' is not absolute");
    }

    private static void refused(byte[] buf, int length, String why) {
        try {
            HandoffRequest.path(buf, length);
            fail("accepted: " + why);
        } catch (IllegalArgumentException e) {
            assertEquals(why, e.getMessage());
        }
    }
}
