package org.prhelper.transport;

import java.io.IOException;
import java.util.function.Supplier;

import org.newsclub.net.unix.AFUNIXSocket;
import org.prhelper.api.PrHandler;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.codec.ReadOutcome;
import org.prhelper.codec.ReceivedFd;
import org.prhelper.codec.ServerProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One client connection, served on its own thread: handshake, then request after request. */
final class Connection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** Room for the most descriptors one message can carry (SCM_MAX_FD 253), so extras are seen and closed. */
    private static final int ANCILLARY_BUFFER = 253 * 4 + 64;

    private final AFUNIXSocket socket;
    private final Supplier<PrHandler> handler;
    private final Runnable onClose;
    private final String name;

    Connection(AFUNIXSocket socket, Supplier<PrHandler> handler, Runnable onClose, String name) {
        this.socket = socket;
        this.handler = handler;
        this.onClose = onClose;
        this.name = name;
    }

    @Override
    public void run() {
        try (AFUNIXSocket s = socket) {
            s.setAncillaryReceiveBufferSize(ANCILLARY_BUFFER);
            ServerProtocol protocol = new ServerProtocol(new JunixChannel(s));
            if (!protocol.handshake()) {
                LOG.debug("{}: handshake refused", name);
                return;
            }
            PrRequest request = new PrRequest();
            PrResponse response = new PrResponse();
            ReadOutcome outcome;
            while ((outcome = protocol.readRequest(request)) == ReadOutcome.REQUEST) {
                ReceivedFd fd = (ReceivedFd) request.device();
                try {
                    response.reset();
                    execute(request, response);
                    protocol.writeResponse(request, response);
                    if (LOG.isTraceEnabled()) {
                        trace(request, response);
                    }
                } finally {
                    fd.close();
                    request.device(null);
                }
            }
            if (outcome == ReadOutcome.END_OF_STREAM) {
                LOG.debug("{}: {}", name, outcome.reason());
            } else {
                LOG.warn("{}: closing connection: {}", name, outcome.reason());
            }
        } catch (IOException e) {
            LOG.debug("{}: connection ended: {}", name, e.toString());
        } catch (RuntimeException e) {
            LOG.error("{}: connection failed", name, e);
        } finally {
            onClose.run();
        }
    }

    private void execute(PrRequest request, PrResponse response) {
        PrHandler h = handler.get();
        if (h == null) {
            // The dispatcher is being replaced: the same answer QEMU gives when it cannot reach a helper.
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
            return;
        }
        try {
            h.handle(request, response);
        } catch (RuntimeException e) {
            LOG.warn("{}: request failed", name, e);
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }

    private void trace(PrRequest request, PrResponse response) {
        byte[] sense = response.sense();
        LOG.trace("{}: fd {} opcode 0x{} sa {} length {} -> status {} sense {}/{}/{} data {}", name,
                request.device().fd(), Integer.toHexString(request.opcode()), request.serviceAction(),
                request.transferLength(), ScsiStatus.name(response.status()), hex(sense[2] & 0x0F),
                hex(sense[12]), hex(sense[13]), response.dataLength());
    }

    private static String hex(int b) {
        return String.format("%02x", b & 0xFF);
    }

    /** Ends the connection from our side: no further request is read, the one in progress completes. */
    void shutdownInput() {
        try {
            socket.shutdownInput();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
