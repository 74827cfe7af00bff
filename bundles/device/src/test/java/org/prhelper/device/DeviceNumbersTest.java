package org.prhelper.device;

import static org.junit.Assert.assertEquals;

import org.junit.Test;
import org.prhelper.api.DeviceIdentity.Kind;

public class DeviceNumbersTest {
    /** rdev, major, minor: values from glibc's makedev() on x86_64. */
    private static final long[][] RDEV = {
        {0x800L, 8, 0},
        {0x810L, 8, 16},
        {0xfd00L, 253, 0},
        {0x10010300L, 259, 65536},
        {0x103L, 1, 3},
        {0x1500L, 21, 0},
        {0xffffffffL, 4095, 1048575},
        {0x100000100000L, 4096, 256},
        {0L, 0, 0},
    };

    @Test
    public void decodesLikeGlibc() {
        for (long[] row : RDEV) {
            String what = "rdev 0x" + Long.toHexString(row[0]);
            assertEquals(what, row[1], DeviceNumbers.major(row[0]));
            assertEquals(what, row[2], DeviceNumbers.minor(row[0]));
        }
    }

    @Test
    public void fileTypeFromMode() {
        assertEquals(Kind.BLOCK, DeviceNumbers.kind(0060660));
        assertEquals(Kind.CHARACTER, DeviceNumbers.kind(0020666));
        assertEquals(Kind.OTHER, DeviceNumbers.kind(0100644));
        assertEquals(Kind.OTHER, DeviceNumbers.kind(0040755));
        assertEquals(Kind.OTHER, DeviceNumbers.kind(0140777));
        assertEquals(Kind.OTHER, DeviceNumbers.kind(0010600));
        assertEquals(Kind.OTHER, DeviceNumbers.kind(0120777));
    }
}
