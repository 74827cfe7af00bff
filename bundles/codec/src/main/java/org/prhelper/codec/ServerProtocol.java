package org.prhelper.codec;

import java.io.IOException;

import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;

/**
 * The server side of the pr-helper protocol on one connection: the feature handshake, reading
 * requests with their close rules, and writing replies. Not thread-safe; one per connection.
 *
 * <p>Close rules follow qemu-pr-helper so that clients see the same behaviour: a request without a
 * descriptor, with more than one, with an opcode other than PR IN/OUT or a transfer length above
 * 8192 ends the connection without a reply. Descriptors arriving outside a CDB (with the handshake or
 * a parameter list) are closed and ignored, as the reference never receives them.
 */
public final class ServerProtocol {
    /** Feature flags this server offers; a client asking for any other is disconnected. */
    public static final int SERVER_FEATURES = 0;
    public static final int REPLY_HEADER_SIZE = 8 + PrResponse.SENSE_SIZE;

    private final WireChannel channel;
    private final byte[] reply = new byte[REPLY_HEADER_SIZE + PrRequest.MAX_TRANSFER];
    private final ReceivedFd[] pending = new ReceivedFd[2];

    public ServerProtocol(WireChannel channel) {
        this.channel = channel;
    }

    /**
     * Sends our feature flags and reads the client's. Returns false (the connection must be closed) if
     * the client closed it or asked for a feature we did not offer.
     */
    public boolean handshake() throws IOException {
        putInt(reply, 0, SERVER_FEATURES);
        channel.write(reply, 0, 4);
        byte[] flags = new byte[4];
        if (!readFullyDroppingFds(flags, 0, 4)) {
            return false;
        }
        return (getInt(flags, 0) & ~SERVER_FEATURES) == 0;
    }

    /**
     * Reads the next request into {@code request}. On {@link ReadOutcome#REQUEST} the request's device
     * is a {@link ReceivedFd} the caller must close after replying; on any other outcome every
     * descriptor received for it has been closed already and the connection must be closed.
     */
    public ReadOutcome readRequest(PrRequest request) throws IOException {
        int fds = 0;
        try {
            byte[] cdb = request.cdb();
            int got = 0;
            while (got < PrRequest.CDB_SIZE) {
                int n = channel.read(cdb, got, PrRequest.CDB_SIZE - got);
                fds = collect(fds);
                if (n < 0) {
                    return ReadOutcome.END_OF_STREAM;
                }
                got += n;
            }
            if (fds > 1) {
                return ReadOutcome.TOO_MANY_FDS;
            }
            if (fds == 0) {
                return ReadOutcome.NO_FD;
            }
            int opcode = request.opcode();
            if (opcode != PrRequest.OPCODE_PR_IN && opcode != PrRequest.OPCODE_PR_OUT) {
                return ReadOutcome.BAD_OPCODE;
            }
            int length = request.transferLength();
            if (length > PrRequest.MAX_TRANSFER) {
                return ReadOutcome.TOO_LONG;
            }
            if (request.isOut()) {
                if (!readFullyDroppingFds(request.parameters(), 0, length)) {
                    return ReadOutcome.END_OF_STREAM;
                }
                request.parameterLength(length);
            } else {
                request.parameterLength(0);
            }
            request.device(pending[0]);
            pending[0] = null;
            fds = 0;
            return ReadOutcome.REQUEST;
        } finally {
            for (int i = 0; i < fds; i++) {
                pending[i].close();
                pending[i] = null;
            }
        }
    }

    /**
     * Writes the reply in one write. Data goes out only for a PR IN answered GOOD, capped to the
     * request's transfer length.
     */
    public void writeResponse(PrRequest request, PrResponse response) throws IOException {
        int length = encode(request, response, reply);
        channel.write(reply, 0, length);
    }

    /** Encodes a reply into {@code out} (at least 104 + 8192 bytes) and returns its length. */
    public static int encode(PrRequest request, PrResponse response, byte[] out) {
        int dataLength = 0;
        if (!request.isOut() && response.status() == ScsiStatus.GOOD) {
            dataLength = Math.min(response.dataLength(), request.transferLength());
        }
        putInt(out, 0, response.status());
        putInt(out, 4, dataLength);
        System.arraycopy(response.sense(), 0, out, 8, PrResponse.SENSE_SIZE);
        System.arraycopy(response.data(), 0, out, REPLY_HEADER_SIZE, dataLength);
        return REPLY_HEADER_SIZE + dataLength;
    }

    /** Keeps up to two received descriptors (enough to know there were too many), closes the rest. */
    private int collect(int count) throws IOException {
        for (ReceivedFd fd : channel.takeFds()) {
            if (count < pending.length) {
                pending[count] = fd;
            } else {
                fd.close();
            }
            count++;
        }
        return Math.min(count, pending.length);
    }

    private boolean readFullyDroppingFds(byte[] buf, int off, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int n = channel.read(buf, off + got, len - got);
            for (ReceivedFd stray : channel.takeFds()) {
                stray.close();
            }
            if (n < 0) {
                return false;
            }
            got += n;
        }
        return true;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
