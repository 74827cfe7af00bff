package org.prhelper.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * One epoll instance (Linux), through JNA: which connections have a request to read. Registrations are
 * one-shot, so an event goes to exactly one of the threads waiting here and the connection stays quiet
 * until the thread that served it arms it again. junixsocket's own selector polls every registered
 * socket on each call; epoll's cost follows the ready ones only.
 */
final class Epoll implements AutoCloseable {
    static final int IN = 0x001;
    static final int OUT = 0x004;
    private static final int ONESHOT = 1 << 30;
    private static final int CTL_ADD = 1;
    private static final int CTL_DEL = 2;
    private static final int CTL_MOD = 3;
    private static final int CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    /** struct epoll_event {u32 events; u64 data}: packed (12 bytes) on x86_64, padded elsewhere. */
    private static final int EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_SIZE - 8;

    private final int epfd;
    /** An eventfd that is readable from its creation; registered only to wake every waiter at close. */
    private final int wakeFd;

    Epoll() throws IOException {
        try {
            epfd = Libc.epoll_create1(CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("epoll_create1: errno " + e.getErrorCode(), e);
        }
        try {
            wakeFd = Libc.eventfd(1, CLOEXEC);
        } catch (LastErrorException e) {
            Libc.close(epfd);
            throw new IOException("eventfd: errno " + e.getErrorCode(), e);
        }
    }

    /** Room for the events of one wait, one per waiting thread. */
    static final class Events {
        final Memory memory;
        final int capacity;

        Events(int capacity) {
            this.capacity = capacity;
            this.memory = new Memory((long) capacity * EVENT_SIZE);
        }

        /** The descriptor of event {@code i}; -1 for the wake-up of {@link #wakeAll}. */
        int fd(int i) {
            return (int) memory.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
        }
    }

    /** Starts watching {@code fd} for one request (or, with {@link #OUT}, for room to write). */
    void add(int fd, int events) throws IOException {
        ctl(CTL_ADD, fd, events | ONESHOT, fd);
    }

    /** Watches {@code fd} level-triggered: every wait returns it while it is ready. */
    void watch(int fd, int events) throws IOException {
        ctl(CTL_ADD, fd, events, fd);
    }

    /** Watches {@code fd} again, for one more event; after an event it is quiet until this. */
    void arm(int fd, int events) throws IOException {
        ctl(CTL_MOD, fd, events | ONESHOT, fd);
    }

    void remove(int fd) throws IOException {
        ctl(CTL_DEL, fd, 0, fd);
    }

    private void ctl(int op, int fd, int events, long data) throws IOException {
        byte[] event = new byte[EVENT_SIZE];
        ByteBuffer.wrap(event).order(ByteOrder.nativeOrder()).putInt(0, events).putLong(DATA_OFFSET, data);
        try {
            Libc.epoll_ctl(epfd, op, fd, event);
        } catch (LastErrorException e) {
            throw new IOException("epoll_ctl(" + op + ", fd " + fd + "): errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: for ever) for events and returns how many {@code events}
     * holds; an interrupted wait returns 0.
     */
    int await(Events events, int timeoutMillis) throws IOException {
        try {
            return Libc.epoll_wait(epfd, events.memory, events.capacity, timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR) {
                return 0;
            }
            throw new IOException("epoll_wait: errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Wakes every thread waiting here, now and from then on: the eventfd is registered level-triggered
     * and never read, so each wait returns it at once.
     */
    void wakeAll() throws IOException {
        ctl(CTL_ADD, wakeFd, IN, -1L);
    }

    @Override
    public void close() {
        Libc.close(wakeFd);
        Libc.close(epfd);
    }

    /** JNA direct mapping: bound once, on first use, and cheaper per call than an interface proxy. */
    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private Libc() {
        }

        static native int epoll_create1(int flags) throws LastErrorException;

        static native int epoll_ctl(int epfd, int op, int fd, byte[] event) throws LastErrorException;

        static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout) throws LastErrorException;

        static native int eventfd(int initval, int flags) throws LastErrorException;

        static native int close(int fd);
    }
}
