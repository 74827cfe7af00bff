package org.prhelper.handoff;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The one message bin/prhelper-vm sends on the control socket: "PRVM", version 1, the length of the
 * socket path (uint16, big-endian, 1..107) and the path as given to -k; the listening socket rides
 * along as the only SCM_RIGHTS descriptor. After the agent's one-line answer ("OK name" or
 * "ERR reason") nothing more is sent: end of stream asks the agent to stop serving the socket.
 */
final class HandoffRequest {
    static final byte[] MAGIC = {'P', 'R', 'V', 'M'};
    static final int VERSION = 1;
    static final int HEADER_BYTES = MAGIC.length + 1 + 2;
    /** Linux sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;
    static final int MAX_BYTES = HEADER_BYTES + MAX_PATH_BYTES;

    private HandoffRequest() {
    }

    /**
     * The socket path once {@code length} bytes of {@code buf} hold the whole message, null while more
     * bytes are needed; IllegalArgumentException, with what is wrong, for anything else.
     */
    static String path(byte[] buf, int length) {
        for (int i = 0; i < Math.min(length, MAGIC.length); i++) {
            if (buf[i] != MAGIC[i]) {
                throw new IllegalArgumentException("not a prhelper-vm handoff request (no PRVM magic)");
            }
        }
        if (length < HEADER_BYTES) {
            return null;
        }
        if (buf[4] != VERSION) {
            throw new IllegalArgumentException("handoff protocol version " + (buf[4] & 0xFF)
                    + " is not supported (this agent speaks " + VERSION + ")");
        }
        int pathBytes = Short.toUnsignedInt(ByteBuffer.wrap(buf).getShort(5));
        if (pathBytes < 1 || pathBytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("socket path length " + pathBytes + " is not within 1.."
                    + MAX_PATH_BYTES);
        }
        if (length < HEADER_BYTES + pathBytes) {
            return null;
        }
        if (length > HEADER_BYTES + pathBytes) {
            throw new IllegalArgumentException("unexpected bytes after the request");
        }
        String path = new String(buf, HEADER_BYTES, pathBytes, StandardCharsets.UTF_8);
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("socket path '" + path.replace('\0', '?') + "' is not absolute");
        }
        return path;
    }

    /** The message for {@code path}, for tests and documentation of the layout. */
    static byte[] encode(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] m = new byte[HEADER_BYTES + p.length];
        System.arraycopy(MAGIC, 0, m, 0, MAGIC.length);
        m[4] = VERSION;
        m[5] = (byte) (p.length >> 8);
        m[6] = (byte) p.length;
        System.arraycopy(p, 0, m, HEADER_BYTES, p.length);
        return m;
    }
}
