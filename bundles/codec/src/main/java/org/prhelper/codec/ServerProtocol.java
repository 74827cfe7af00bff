package org.prhelper.codec;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;

/**
 * The server side of the pr-helper protocol on one connection: the feature handshake, reading
 * requests with their close rules, and writing replies. Not thread-safe; one per connection, used by
 * one thread at a time.
 *
 * <p>Reading and writing resume where they stopped, so the same code serves a blocking channel and a
 * non-blocking one driven by readiness events: {@link #readRequest} answers {@link ReadOutcome#INCOMPLETE}
 * when the channel has no more bytes yet, and {@link #flush} finishes a reply the socket had no room for.
 *
 * <p>Close rules follow qemu-pr-helper so that clients see the same behaviour: a request without a
 * descriptor, with more than one, with an opcode other than PR IN/OUT or a transfer length above
 * 8192 ends the connection without a reply. Descriptors arriving outside a CDB (with the handshake or
 * a parameter list) are closed and ignored, as the reference never receives them.
 */
public final class ServerProtocol {
    /** The protocol's integers: 32 bits, big-endian, at any offset of a byte array. */
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** Feature flags this server offers; a client asking for any other is disconnected. */
    public static final int SERVER_FEATURES = 0;
    public static final int REPLY_HEADER_SIZE = 8 + PrResponse.SENSE_SIZE;
    private static final int FEATURES_SIZE = 4;

    /** Where reading stands: the client's feature flags, a CDB, or a PR OUT parameter list. */
    private enum Phase { FEATURES, CDB, PARAMETERS }

    private final WireChannel channel;
    /**
     * The reply being written; grown to the longest this connection sent (READ KEYS of a few keys
     * needs a few dozen bytes of data, not the 8 KB most clients allow).
     */
    private byte[] reply = new byte[REPLY_HEADER_SIZE];
    private final byte[] features = new byte[FEATURES_SIZE];
    private final ReceivedFd[] pending = new ReceivedFd[2];
    private Phase phase = Phase.FEATURES;
    /** Bytes of the current phase read so far. */
    private int got;
    /** Descriptors received with the current CDB (at most two kept: two already means too many). */
    private int fds;
    /** The part of {@link #reply} not written yet. */
    private int outFrom;
    private int outTo;

    public ServerProtocol(WireChannel channel) {
        this.channel = channel;
    }

    /** Sends our feature flags, the first thing on a connection; false if they wait for {@link #flush}. */
    public boolean start() throws IOException {
        INT.set(reply, 0, SERVER_FEATURES);
        return send(FEATURES_SIZE);
    }

    /**
     * Reads the client's feature flags if not done yet, then the next request into {@code request}
     * (the same object until it is complete). On {@link ReadOutcome#REQUEST} the request's device is a
     * {@link ReceivedFd} the caller must close after replying; on {@link ReadOutcome#INCOMPLETE} the
     * bytes and descriptors so far are kept for the next call; on any other outcome every descriptor
     * received for it has been closed already and the connection must be closed.
     */
    public ReadOutcome readRequest(PrRequest request) throws IOException {
        ReadOutcome outcome = null;
        try {
            outcome = advance(request);
            return outcome;
        } finally {
            if (outcome != ReadOutcome.INCOMPLETE) {
                discard();
            }
        }
    }

    private ReadOutcome advance(PrRequest request) throws IOException {
        if (phase == Phase.FEATURES) {
            ReadOutcome stopped = fill(features, FEATURES_SIZE, false);
            if (stopped != null) {
                return stopped;
            }
            if (((int) INT.get(features, 0) & ~SERVER_FEATURES) != 0) {
                return ReadOutcome.REFUSED_FEATURES;
            }
            next(Phase.CDB);
        }
        if (phase == Phase.CDB) {
            ReadOutcome stopped = fill(request.cdb(), PrRequest.CDB_SIZE, true);
            if (stopped != null) {
                return stopped;
            }
            ReadOutcome refused = refusal(request);
            if (refused != null) {
                return refused;
            }
            if (!request.isOut()) {
                return complete(request, 0);
            }
            next(Phase.PARAMETERS);
        }
        int length = request.transferLength();
        request.parameterLength(length);
        ReadOutcome stopped = fill(request.parameters(), length, false);
        return stopped != null ? stopped : complete(request, length);
    }

    /** Why a complete CDB ends the connection, or null if it is a request to serve. */
    private ReadOutcome refusal(PrRequest request) {
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
        return request.transferLength() > PrRequest.MAX_TRANSFER ? ReadOutcome.TOO_LONG : null;
    }

    private ReadOutcome complete(PrRequest request, int parameterLength) {
        request.parameterLength(parameterLength);
        request.device(pending[0]);
        pending[0] = null;
        fds = 0;
        next(Phase.CDB);
        return ReadOutcome.REQUEST;
    }

    private void next(Phase p) {
        phase = p;
        got = 0;
    }

    /**
     * Reads until {@code buf} holds {@code len} bytes of the current phase: null when it does, else
     * {@link ReadOutcome#INCOMPLETE} or {@link ReadOutcome#END_OF_STREAM}. Descriptors that come along
     * are kept for the CDB ({@code forCdb}) or closed.
     */
    private ReadOutcome fill(byte[] buf, int len, boolean forCdb) throws IOException {
        while (got < len) {
            int n = channel.read(buf, got, len - got);
            ReceivedFd[] received = channel.takeFds();
            for (ReceivedFd fd : received) {
                if (forCdb && fds < pending.length) {
                    pending[fds++] = fd;
                } else {
                    // A third descriptor of a CDB (two already mean too many), or one outside a CDB.
                    fd.close();
                }
            }
            if (n <= 0) {
                return n < 0 ? ReadOutcome.END_OF_STREAM : ReadOutcome.INCOMPLETE;
            }
            got += n;
        }
        return null;
    }

    /**
     * Closes the descriptors received for a request that will not be completed, and starts over; for a
     * connection that ends while a request is partly read.
     */
    public void discard() {
        for (int i = 0; i < fds; i++) {
            pending[i].close();
            pending[i] = null;
        }
        fds = 0;
    }

    /**
     * Writes the reply, in one write when the socket has room. Data goes out only for a PR IN answered
     * GOOD, capped to the request's transfer length. False if part of it waits for {@link #flush}.
     */
    public boolean writeResponse(PrRequest request, PrResponse response) throws IOException {
        int length = REPLY_HEADER_SIZE + dataLength(request, response);
        if (length > reply.length) {
            int grown = Integer.highestOneBit(length - 1) << 1;
            reply = new byte[Math.min(grown, REPLY_HEADER_SIZE + PrRequest.MAX_TRANSFER)];
        }
        return send(encode(request, response, reply));
    }

    private boolean send(int length) throws IOException {
        outFrom = 0;
        outTo = length;
        return flush();
    }

    /** Writes what is left of the last reply; true once all of it is written. */
    public boolean flush() throws IOException {
        while (outFrom < outTo) {
            int n = channel.write(reply, outFrom, outTo - outFrom);
            if (n <= 0) {
                return false;
            }
            outFrom += n;
        }
        return true;
    }

    /** Bytes of data a reply carries: for a PR IN answered GOOD, capped to the transfer length. */
    static int dataLength(PrRequest request, PrResponse response) {
        return request.isOut() || response.status() != ScsiStatus.GOOD ? 0
                : Math.min(response.dataLength(), request.transferLength());
    }

    /** Encodes a reply into {@code out} (at least 104 bytes and its data) and returns its length. */
    public static int encode(PrRequest request, PrResponse response, byte[] out) {
        int dataLength = dataLength(request, response);
        INT.set(out, 0, response.status());
        INT.set(out, 4, dataLength);
        System.arraycopy(response.sense(), 0, out, 8, PrResponse.SENSE_SIZE);
        System.arraycopy(response.data(), 0, out, REPLY_HEADER_SIZE, dataLength);
        return REPLY_HEADER_SIZE + dataLength;
    }
}
