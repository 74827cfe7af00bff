package org.prhelper.transport;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.codec.ReceivedFd;
import org.prhelper.codec.WireChannel;
import org.prhelper.unixsocket.Fds;

/**
 * A {@link WireChannel} over a junixsocket connection, non-blocking when the connection is served by
 * readiness events; descriptors come from SCM_RIGHTS.
 *
 * <p>Reads go through the socket's stream, which on a non-blocking socket returns 0 when nothing is
 * there: junixsocket's channel read registers a cleanup for every descriptor received, which closes
 * the descriptor's number again, from another thread, some time after we have closed it, by which
 * time the number may be a new client's socket (found by SocketFuzzIT: connections closed and left
 * unanswered under load). Writes carry no descriptors and go through the channel, which reports a
 * partial write.
 */
final class JunixChannel implements WireChannel {
    private static final ReceivedFd[] NONE = new ReceivedFd[0];

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final AFUNIXSocketChannel channel;

    JunixChannel(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.channel = socket.getChannel();
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return in.read(buf, off, len);
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

    private static final class Fd implements ReceivedFd {
        private final FileDescriptor descriptor;
        private final int number;
        /** Set on the serving thread, read there or by the worker it hands the request to (ordered by the hand-off). */
        private DeviceIdentity identity;

        Fd(FileDescriptor descriptor) throws IOException {
            this.descriptor = descriptor;
            int n;
            try {
                n = Fds.number(descriptor);
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
        public DeviceIdentity identity() {
            return identity;
        }

        @Override
        public void identity(DeviceIdentity identity) {
            this.identity = identity;
        }

        @Override
        public void close() {
            Fds.release(descriptor);
        }
    }
}
