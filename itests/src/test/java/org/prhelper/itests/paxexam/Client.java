package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** A pr-helper client as QEMU's: one connection, one request at a time, the fd on the CDB's write. */
final class Client implements Closeable {
    /** Long enough for any answer here; a hung agent fails the test instead of blocking the build. */
    private static final int REPLY_TIMEOUT_MILLIS = 10_000;
    /** Short enough to keep the test quick, far shorter than the dispatcher's 3 s wait for a backend. */
    private static final int SILENCE_MILLIS = 500;

    private final AFUNIXSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private Client(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static Client connect(Path path) throws IOException {
        AFUNIXSocket socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
        Client client = new Client(socket);
        try {
            socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            assertEquals("server feature flags", 0, client.in.readInt());
            client.out.write(new byte[4]);
        } catch (IOException | RuntimeException | AssertionError e) {
            socket.close();
            throw e;
        }
        return client;
    }

    void send(byte[] cdb, FileDescriptor fd, byte[] parameters) throws IOException {
        socket.setOutboundFileDescriptors(fd);
        out.write(cdb);
        if (parameters.length > 0) {
            out.write(parameters);
        }
    }

    byte[] readReply(int length) throws IOException {
        byte[] reply = new byte[length];
        in.readFully(reply);
        return reply;
    }

    /** End of stream within the reply timeout: the agent closed the connection. */
    void assertClosed() throws IOException {
        try {
            int b = in.read();
            assertEquals("end of stream", -1, b);
        } catch (java.net.SocketException e) {
            // A reset is a close too.
        }
    }

    /** Neither a byte nor end of stream within {@link #SILENCE_MILLIS}: open, and nothing pending. */
    void assertNothingArrives() throws IOException {
        socket.setSoTimeout(SILENCE_MILLIS);
        try {
            int b = in.read();
            fail(b < 0 ? "connection closed by the agent" : "unexpected byte " + b);
        } catch (SocketTimeoutException expected) {
            // Silence: what an idle, open connection gives.
        } finally {
            socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
