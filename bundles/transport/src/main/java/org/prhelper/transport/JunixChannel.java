package org.prhelper.transport;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.DescriptorNumbers;
import org.prhelper.codec.ReceivedFd;
import org.prhelper.codec.WireChannel;

/**
 * A {@link WireChannel} over a junixsocket connection, through its channel, which is non-blocking when
 * the connection is served by readiness events; descriptors come from SCM_RIGHTS.
 */
final class JunixChannel implements WireChannel {
    private static final ReceivedFd[] NONE = new ReceivedFd[0];

    private final AFUNIXSocket socket;
    private final AFUNIXSocketChannel channel;

    JunixChannel(AFUNIXSocket socket) {
        this.socket = socket;
        this.channel = socket.getChannel();
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return channel.read(ByteBuffer.wrap(buf, off, len));
    }

    @Override
    public ReceivedFd[] takeFds() throws IOException {
        FileDescriptor[] fds = socket.getReceivedFileDescriptors();
        if (fds == null || fds.length == 0) {
            return NONE;
        }
        ReceivedFd[] out = new ReceivedFd[fds.length];
        for (int i = 0; i < fds.length; i++) {
            out[i] = new Fd(fds[i]);
        }
        return out;
    }

    @Override
    public int write(byte[] buf, int off, int len) throws IOException {
        return channel.write(ByteBuffer.wrap(buf, off, len));
    }

    /**
     * Closes a descriptor through its own object, which marks it invalid: junixsocket, which closes the
     * descriptors a connection received once more when that connection closes, then skips it.
     */
    static void closeQuietly(FileDescriptor descriptor) {
        // FileInputStream.close() closes the descriptor it wraps, whatever kind of file it is.
        try {
            new FileInputStream(descriptor).close();
        } catch (IOException ignored) {
            // close(2) reported an error: the descriptor is released all the same.
        }
    }

    private static final class Fd implements ReceivedFd {
        private final FileDescriptor descriptor;
        private final int number;

        Fd(FileDescriptor descriptor) throws IOException {
            this.descriptor = descriptor;
            int n;
            try {
                n = DescriptorNumbers.of(descriptor);
            } catch (IOException e) {
                close();
                throw e;
            }
            this.number = n;
        }

        @Override
        public int fd() {
            return number;
        }

        @Override
        public void close() {
            closeQuietly(descriptor);
        }
    }
}
