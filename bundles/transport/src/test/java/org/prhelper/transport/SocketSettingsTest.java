package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Test;

public class SocketSettingsTest {
    private static SocketConfig config(String path, String mode, int backlog, int maxConnections) {
        return Configs.socket(path, mode, backlog, maxConnections);
    }

    private static void assertRejected(SocketConfig c, String mention) {
        try {
            SocketSettings.of(c);
            fail("accepted " + mention);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(mention));
        }
    }

    @Test
    public void validSettings() {
        SocketSettings s = SocketSettings.of(config(" /run/x.sock ", "0660", 16, 10));
        assertEquals("/run/x.sock", s.path().toString());
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), s.mode());
        assertEquals(16, s.backlog());
    }

    @Test
    public void modeDefaultsTo0600LikeUpstreamsSocketUnit() {
        assertEquals(PosixFilePermissions.fromString("rw-------"),
                SocketSettings.of(Configs.socket(java.util.Map.of("path", "/run/x.sock"))).mode());
    }

    @Test
    public void emptyModeKeepsUmask() {
        assertNull(SocketSettings.of(config("/run/x.sock", "", 1, 1)).mode());
    }

    @Test
    public void errorsNameTheKeyAndValue() {
        assertRejected(config("relative.sock", "", 1, 1), "path = 'relative.sock'");
        assertRejected(config("", "", 1, 1), "path = ''");
        assertRejected(config("/" + "x".repeat(107), "", 1, 1), "path = '/xxx");
        assertRejected(config("/run/x.sock", "0988", 1, 1), "mode = '0988'");
        assertRejected(config("/run/x.sock", "01777", 1, 1), "mode = '01777'");
        assertRejected(config("/run/x.sock", "rw", 1, 1), "mode = 'rw'");
        assertRejected(config("/run/x.sock", "", 0, 1), "backlog = 0");
        assertRejected(config("/run/x.sock", "", 1, 0), "maxConnections = 0");
    }
}
