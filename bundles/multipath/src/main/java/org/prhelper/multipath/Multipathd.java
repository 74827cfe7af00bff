package org.prhelper.multipath;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * multipathd's command socket, as libmpathpersist talks to it after a registration: the key for the
 * map's {@code prkeys} file entry, and the flag that makes multipathd register that key on a path
 * that comes back. One connection, kept and shared by every map (multipathd serves a client's
 * commands one after another for as long as it stays connected, as for {@code multipathd -k}): the
 * library connects for every command, which costs more CPU than the exchange itself
 * (docs/multipath.md).
 *
 * <p>Wire facts (libmpathcmd): a socket in the abstract namespace named
 * {@value #SOCKET}; a message is its length as a native {@code size_t}, then the text with its
 * terminating NUL; the reply has the same framing and starts with {@code ok} on success.
 */
final class Multipathd {
    static final String SOCKET = "/org/kernel/linux/storage/multipathd";
    /** The library's reply timeout. */
    static final int TIMEOUT_MILLIS = 4000;
    /** The replies to our commands are a word or two; a longer one is not an answer to them. */
    private static final int MAX_REPLY = 4096;

    private final String socketName;
    /** One command at a time on the connection; multipathd handles them one at a time anyway. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; null until the first command and after a failure. */
    private AFUNIXSocket socket;

    Multipathd(String socketName) {
        this.socketName = socketName;
    }

    /** {@code setprkey}: the text libmpathpersist sends, the key in hex and {@code :aptpl} when asked. */
    static String setPrKey(String map, long key, boolean aptpl) {
        return "setprkey map " + map + " key " + Long.toHexString(key) + (aptpl ? ":aptpl" : "");
    }

    static String setPrStatus(String map) {
        return "setprstatus map " + map;
    }

    /** Sends one command: true if multipathd answered {@code ok}, false if it refused; IOException if unreachable. */
    boolean ok(String command) throws IOException {
        return reply(command).startsWith("ok");
    }

    /**
     * Sends one command and returns multipathd's reply. A kept connection that fails (multipathd
     * restarted, or dropped it) is replaced and the command sent once more: the commands set state,
     * so one that multipathd did carry out changes nothing the second time.
     */
    String reply(String command) throws IOException {
        lock.lock();
        try {
            if (socket != null) {
                try {
                    return exchange(command);
                } catch (IOException e) {
                    close();
                }
            }
            socket = AFUNIXSocket.newInstance();
            try {
                socket.connect(AFUNIXSocketAddress.inAbstractNamespace(socketName), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                return exchange(command);
            } catch (IOException e) {
                close();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private String exchange(String command) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(frame(command));
        out.flush();
        return readReply(socket.getInputStream());
    }

    /** Closes the kept connection, if any; the next command opens another. */
    void close() {
        lock.lock();
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            // closing a socket that failed: nothing left to do with it
        } finally {
            socket = null;
            lock.unlock();
        }
    }

    static byte[] frame(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer frame = ByteBuffer.allocate(Long.BYTES + bytes.length + 1).order(ByteOrder.nativeOrder());
        frame.putLong(bytes.length + 1L).put(bytes).put((byte) 0);
        return frame.array();
    }

    static String readReply(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[Long.BYTES];
        data.readFully(header);
        long length = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getLong();
        if (length <= 0 || length > MAX_REPLY) {
            throw new IOException("multipathd replied with a length of " + length);
        }
        byte[] text = new byte[(int) length];
        data.readFully(text);
        int end = text[text.length - 1] == 0 ? text.length - 1 : text.length;
        return new String(text, 0, end, StandardCharsets.US_ASCII);
    }
}
