package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** A pr-helper protocol client for the transport's tests: handshake, PR IN with a descriptor, replies. */
final class TestClient implements AutoCloseable {
    final AFUNIXSocket socket;
    final DataInputStream in;
    final OutputStream out;

    TestClient(Path path) throws IOException {
        socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        assertEquals(0, in.readInt());
        out.write(new byte[4]);
    }

    /** Sends READ KEYS with {@code fd}; returns the status. */
    int readKeys(FileDescriptor fd) throws IOException {
        send(fd, 0, 8);
        return reply();
    }

    /** Sends PR IN with service action {@code sa} (0 READ KEYS, 1 READ RESERVATION) and {@code fd}. */
    void send(FileDescriptor fd, int sa, int length) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = 0x5E;
        cdb[1] = (byte) sa;
        cdb[7] = (byte) (length >> 8);
        cdb[8] = (byte) length;
        socket.setOutboundFileDescriptors(fd);
        out.write(cdb);
    }

    /** Reads one reply; returns its status. */
    int reply() throws IOException {
        int status = in.readInt();
        int size = in.readInt();
        in.readFully(new byte[96 + size]);
        return status;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
