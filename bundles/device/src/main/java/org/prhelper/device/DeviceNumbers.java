package org.prhelper.device;

import org.prhelper.api.DeviceIdentity.Kind;

/** The file type and device numbers in stat(2) fields, decoded as glibc's {@code <sys/sysmacros.h>} does. */
final class DeviceNumbers {
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;

    private DeviceNumbers() {
    }

    static Kind kind(int mode) {
        switch (mode & S_IFMT) {
            case S_IFBLK: return Kind.BLOCK;
            case S_IFCHR: return Kind.CHARACTER;
            default: return Kind.OTHER;
        }
    }

    /**
     * {@code gnu_dev_major}: bits 8-19 and 44-63 of a dev_t. Linux majors have 12 bits, so the result
     * is never negative for a real device.
     */
    static int major(long rdev) {
        return (int) (((rdev & 0x00000000000fff00L) >>> 8) | ((rdev & 0xfffff00000000000L) >>> 32));
    }

    /** {@code gnu_dev_minor}: bits 0-7 and 20-43 of a dev_t (Linux minors have 20 bits). */
    static int minor(long rdev) {
        return (int) ((rdev & 0x00000000000000ffL) | ((rdev & 0x00000ffffff00000L) >>> 12));
    }
}
