package org.prhelper.device;

import java.util.Optional;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * statx(2) on a descriptor (an empty path with AT_EMPTY_PATH): one system call, and a struct whose
 * layout is the same on every architecture, unlike struct stat. Available from Linux 4.11 and glibc 2.28.
 */
final class Statx implements FileStat.Source {
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_INO = 0x100;
    private static final int SIZE = 256;
    // Offsets in struct statx (include/uapi/linux/stat.h).
    private static final int MODE = 28;
    private static final int INO = 32;
    private static final int RDEV_MAJOR = 128;
    private static final int RDEV_MINOR = 132;
    private static final int DEV_MAJOR = 136;
    private static final int DEV_MINOR = 140;

    /** The struct each thread fills (statx runs on serving threads and device workers at once). */
    private final ThreadLocal<Memory> buffers = ThreadLocal.withInitial(() -> new Memory(SIZE));
    /** The empty path, as a C string made once rather than converted from a Java string per call. */
    private final Memory emptyPath = new Memory(1);

    /** Fails (UnsatisfiedLinkError) where the C library has no statx, so the caller can use another way. */
    Statx() {
        Libc.load();
        emptyPath.setByte(0, (byte) 0);
    }

    @Override
    public Optional<FileStat> of(int fd) {
        if (fd < 0) {
            return Optional.empty();
        }
        Memory b = buffers.get();
        try {
            Libc.statx(fd, emptyPath, AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_INO, b);
        } catch (LastErrorException e) {
            return Optional.empty();
        }
        // Memory reads in the machine's byte order, which is the struct's.
        long fileSystem = (Integer.toUnsignedLong(b.getInt(DEV_MAJOR)) << 32)
                | Integer.toUnsignedLong(b.getInt(DEV_MINOR));
        return Optional.of(new FileStat(b.getShort(MODE) & 0xFFFF, b.getInt(RDEV_MAJOR), b.getInt(RDEV_MINOR),
                fileSystem, b.getLong(INO)));
    }

    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private Libc() {
        }

        static void load() {
            // Running the static initializer is the point: it binds statx or fails.
        }

        static native int statx(int dirfd, Pointer path, int flags, int mask, Pointer buf) throws LastErrorException;
    }
}
