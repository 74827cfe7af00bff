package org.prhelper.codec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A channel that delivers scripted chunks, each optionally carrying descriptors, and records writes. */
final class ScriptedChannel implements WireChannel {
    static final class Fd implements ReceivedFd {
        final int number;
        boolean closed;

        Fd(int number) {
            this.number = number;
        }

        @Override
        public int fd() {
            return number;
        }

        @Override
        public void close() {
            if (closed) {
                throw new IllegalStateException("fd " + number + " closed twice");
            }
            closed = true;
        }
    }

    private record Chunk(byte[] bytes, Fd[] fds) {
    }

    /** A chunk that stands for "nothing to read now": read returns 0 once, as a non-blocking socket. */
    private static final Chunk PAUSE = new Chunk(new byte[0], new Fd[0]);

    private final Deque<Chunk> chunks = new ArrayDeque<>();
    private final List<Fd> delivered = new ArrayList<>();
    private final List<Fd> untaken = new ArrayList<>();
    private byte[] current;
    private int pos;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    ScriptedChannel chunk(byte[] bytes, Fd... fds) {
        chunks.add(new Chunk(bytes, fds));
        return this;
    }

    /** A channel on which the client's feature flags (none) were sent already. */
    static ScriptedChannel handshaken() {
        return new ScriptedChannel().chunk(new byte[4]);
    }

    /** The next read finds nothing, as a non-blocking socket whose peer has not sent more yet. */
    ScriptedChannel pause() {
        chunks.add(PAUSE);
        return this;
    }

    /** Every byte of {@code bytes} as its own chunk, descriptors on the chunk at {@code fdAt}. */
    ScriptedChannel byteByByte(byte[] bytes, int fdAt, Fd... fds) {
        for (int i = 0; i < bytes.length; i++) {
            chunk(new byte[] {bytes[i]}, i == fdAt ? fds : new Fd[0]);
        }
        return this;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        if (current == null || pos == current.length) {
            Chunk next = chunks.poll();
            if (next == null) {
                return -1;
            }
            if (next == PAUSE) {
                return 0;
            }
            current = next.bytes;
            pos = 0;
            for (Fd fd : next.fds) {
                untaken.add(fd);
                delivered.add(fd);
            }
        }
        // Like a unix stream socket: one read never crosses into the next chunk.
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, buf, off, n);
        pos += n;
        return n;
    }

    @Override
    public ReceivedFd[] takeFds() {
        ReceivedFd[] out = untaken.toArray(new ReceivedFd[0]);
        untaken.clear();
        return out;
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        written.write(buf, off, len);
        return len;
    }

    List<Fd> delivered() {
        return delivered;
    }
}
