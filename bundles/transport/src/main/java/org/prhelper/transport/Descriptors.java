package org.prhelper.transport;

import java.io.IOException;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Descriptors of our own for sockets that others may close (Linux, through JNA). junixsocket closes a
 * socket's descriptor by itself on some errors, and a garbage-collected socket object closes its number
 * once more; an inherited listening socket is closed by nobody but must stay what its number names. A
 * number closed behind the back of whoever still uses it can be another socket's at once. A duplicate
 * stays open, and its number ours, until {@link #close}.
 */
final class Descriptors {
    private static final int F_DUPFD_CLOEXEC = 1030;

    private Descriptors() {
    }

    /** A new descriptor for what {@code fd} refers to, closed on exec. */
    static int duplicate(int fd) throws IOException {
        try {
            return Libc.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("fcntl(" + fd + ", F_DUPFD_CLOEXEC): errno " + e.getErrorCode(), e);
        }
    }

    /** Closes a descriptor from {@link #duplicate} (which also takes it out of any epoll). */
    static void close(int fd) {
        Libc.close(fd);
    }

    /** JNA direct mapping, bound on first use. */
    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private Libc() {
        }

        static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

        static native int close(int fd);
    }
}
