package org.prhelper.itests.blackbox;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * One client connection to a pr-helper socket. Sends what QEMU's client sends, and also the
 * malformed variants the tests need (no fd, two fds, a CDB in pieces); builds nothing itself about
 * the replies beyond splitting them off the stream.
 */
final class PrClient implements Closeable {
    static final int PR_IN = 0x5E;
    static final int PR_OUT = 0x5F;
    static final int CDB_BYTES = 16;
    /** The largest transfer the protocol allows; the helpers close the connection above it. */
    static final int MAX_TRANSFER = 8192;
    /** A reply never takes this long from either helper; waiting longer means it is not coming. */
    private static final int READ_TIMEOUT_MS = 5_000;

    private final AFUNIXSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private PrClient(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MS);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A connection on which the feature handshake is still to be done. */
    static PrClient open(Path path) throws IOException {
        return new PrClient(AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path)));
    }

    /** A connection after the handshake, as QEMU does it: reads the server's flags and answers 0. */
    static PrClient connect(Path path) throws IOException {
        return connect(path, READ_TIMEOUT_MS);
    }

    /**
     * As {@link #connect(Path)}, waiting up to {@code handshakeMillis} for the server's flags: for a
     * socket that exists before its server answers (bound by the launcher before the JVM starts, or
     * by systemd), where the wait is the JVM's start-up, which a loaded machine stretches.
     */
    static PrClient connect(Path path, int handshakeMillis) throws IOException {
        PrClient client = open(path);
        try {
            client.readTimeout(handshakeMillis);
            int flags = client.readInt();
            client.readTimeout(READ_TIMEOUT_MS);
            if (flags != 0) {
                throw new IOException("server offered feature flags " + Integer.toHexString(flags));
            }
            client.writeInt(0);
            return client;
        } catch (IOException e) {
            client.close();
            throw e;
        }
    }

    /** For a client that knows its server is slow to answer (an agent still starting). */
    void readTimeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    int readInt() throws IOException {
        return in.readInt();
    }

    void writeInt(int value) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(value).array());
    }

    /** Writes {@code bytes} in one sendmsg carrying {@code fds} (none, one or several) as SCM_RIGHTS. */
    void send(byte[] bytes, FileDescriptor... fds) throws IOException {
        if (fds.length > 0) {
            socket.setOutboundFileDescriptors(fds);
        }
        out.write(bytes);
    }

    /** Writes {@code bytes} one sendmsg per byte; the one of byte {@code fdAt} carries {@code fd}. */
    void sendByteByByte(byte[] bytes, int fdAt, FileDescriptor fd) throws IOException {
        for (int i = 0; i < bytes.length; i++) {
            send(new byte[] {bytes[i]}, i == fdAt ? new FileDescriptor[] {fd} : new FileDescriptor[0]);
        }
    }

    /** A whole request as QEMU sends it: the CDB with the fd, then for PR OUT the parameter list. */
    Reply request(FileDescriptor fd, byte[] cdb, byte[] parameters) throws IOException {
        send(cdb, fd);
        if (parameters.length > 0) {
            out.write(parameters);
        }
        return readReply();
    }

    /** Reads one reply; EOFException if the server closed the connection instead. */
    Reply readReply() throws IOException {
        byte[] header = new byte[Reply.HEADER_BYTES];
        in.readFully(header);
        int size = ByteBuffer.wrap(header).getInt(4);
        if (size < 0 || size > MAX_TRANSFER) {
            throw new IOException("reply announces " + size + " data bytes");
        }
        byte[] raw = Arrays.copyOf(header, Reply.HEADER_BYTES + size);
        in.readFully(raw, Reply.HEADER_BYTES, size);
        return new Reply(raw);
    }

    /** True if the server has closed the connection: a read returns end of stream (or a reset). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        }
    }

    /** PERSISTENT RESERVE IN: service action in byte 1, allocation length in bytes 7..8. */
    static byte[] prIn(int serviceAction, int allocationLength) {
        byte[] cdb = new byte[CDB_BYTES];
        cdb[0] = (byte) PR_IN;
        cdb[1] = (byte) serviceAction;
        cdb[7] = (byte) (allocationLength >> 8);
        cdb[8] = (byte) allocationLength;
        return cdb;
    }

    /**
     * PERSISTENT RESERVE OUT with the 32-bit parameter list length in bytes 5..8, as QEMU's guests
     * fill it; the helpers read only bytes 7..8.
     */
    static byte[] prOut(int serviceAction, int parameterLength) {
        byte[] cdb = new byte[CDB_BYTES];
        cdb[0] = (byte) PR_OUT;
        cdb[1] = (byte) serviceAction;
        cdb[2] = 0x01; // scope 0, type 1 (write exclusive): a value a guest would send
        ByteBuffer.wrap(cdb).putInt(5, parameterLength);
        return cdb;
    }

    /** A parameter list of {@code length} bytes: a reservation key then a counting pattern. */
    static byte[] parameters(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i < 8 ? 0x11 * (i + 1) : i);
        }
        return data;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
