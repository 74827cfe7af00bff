package org.prhelper.dispatch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;

import org.junit.Test;

public class FdAccessModeTest {
    @Test
    public void parsesOctalFlags() throws IOException {
        assertEquals(0100002, FdAccessMode.parseFlags("pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t5\n"));
        assertEquals(0, FdAccessMode.parseFlags("pos:\t0\nflags:\t00\n"));
    }

    @Test(expected = IOException.class)
    public void missingFlagsIsAnError() throws IOException {
        FdAccessMode.parseFlags("pos:\t0\n");
    }

    @Test(expected = IOException.class)
    public void garbledFlagsIsAnError() throws IOException {
        FdAccessMode.parseFlags("flags:\t09x\n");
    }

    @Test
    public void tellsReadOnlyFromReadWriteOnRealDescriptors() throws IOException {
        try (OpenFile ro = new OpenFile("r"); OpenFile rw = new OpenFile("rw")) {
            assertTrue(FdAccessMode.isReadOnly(ro.fd));
            assertFalse(FdAccessMode.isReadOnly(rw.fd));
        }
    }
}
