package org.prhelper.transport;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import org.newsclub.net.unix.AFUNIXSocket;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.prhelper.api.ClientInfo;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrCommands;
import org.prhelper.api.PrHandler;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.codec.ReadOutcome;
import org.prhelper.codec.ReceivedFd;
import org.prhelper.codec.ServerProtocol;
import org.prhelper.policy.Decision;
import org.prhelper.policy.SocketPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served on its own thread: handshake, then request after request, each checked
 * against the socket's policy, executed, answered and audited.
 */
final class Connection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** Room for the most descriptors one message can carry (SCM_MAX_FD 253), so extras are seen and closed. */
    private static final int ANCILLARY_BUFFER = 253 * 4 + 64;

    private final AFUNIXSocket socket;
    private final SocketServices services;
    private final Runnable onClose;
    private final String name;
    private final Instant connectedSince = Instant.now();
    private volatile PeerIdentity peer = PeerIdentity.UNKNOWN;
    // Written only by this connection's thread (so ++ loses nothing), read by snapshots; volatile so a
    // snapshot sees a recent and whole value.
    private volatile long requests;
    /** Opcode << 8 | service action of the last request, -1 before the first: no string per request. */
    private volatile int lastCommand = -1;

    Connection(AFUNIXSocket socket, SocketServices services, Runnable onClose, String name) {
        this.socket = socket;
        this.services = services;
        this.onClose = onClose;
        this.name = name;
    }

    PeerIdentity peer() {
        return peer;
    }

    long requests() {
        return requests;
    }

    ClientInfo snapshot() {
        int last = lastCommand;
        return new ClientInfo(name, peer, connectedSince, requests,
                last < 0 ? null : PrCommands.name(last >> 8, last & 0xFF));
    }

    @Override
    public void run() {
        try (AFUNIXSocket s = socket) {
            // SO_PEERCRED holds the credentials of connect() time: read once per connection.
            peer = Peers.of(s);
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
                    long start = System.nanoTime();
                    response.reset();
                    List<AuditSink> audit = services.audit();
                    SocketPolicy policy = services.policy();
                    DeviceIdentity device = !audit.isEmpty() || policy.needsDevice() ? identify(fd) : DeviceIdentity.UNKNOWN;
                    Decision decision = policy.check(peer, device, request);
                    if (decision.allowed()) {
                        execute(request, response);
                    } else {
                        decision.applyTo(response);
                    }
                    // Counted before the reply, so a client that has its answer finds it counted.
                    lastCommand = request.opcode() << 8 | request.serviceAction();
                    requests++;
                    protocol.writeResponse(request, response);
                    if (!audit.isEmpty()) {
                        audit(audit, request, response, device == null ? DeviceIdentity.UNKNOWN : device, decision,
                                System.nanoTime() - start);
                    }
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

    /** Null when no device inspector is registered: the policy then asks the guest to retry. */
    private DeviceIdentity identify(ReceivedFd fd) {
        DeviceInspector inspector = services.inspector();
        return inspector == null ? null : inspector.identify(fd);
    }

    private void audit(List<AuditSink> sinks, PrRequest request, PrResponse response, DeviceIdentity device,
            Decision decision, long nanos) {
        AuditRecord record = AuditRecord.of(Instant.now(), services.socketName(), peer, device, request, response,
                decision.allowed() ? "allow" : "deny: " + decision.rule(), nanos);
        for (AuditSink sink : sinks) {
            try {
                sink.record(record);
            } catch (RuntimeException e) {
                // One faulty sink must not cost the others their record, nor the connection its thread.
                LOG.warn("{}: audit sink {} failed", name, sink.getClass().getName(), e);
            }
        }
    }

    private void execute(PrRequest request, PrResponse response) {
        PrHandler h = services.handler();
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
        SenseCode sense = SenseCode.of(response.sense());
        LOG.trace("{}: fd {} opcode 0x{} sa {} length {} -> status {} sense {}/{}/{} data {}", name,
                request.device().fd(), Integer.toHexString(request.opcode()), request.serviceAction(),
                request.transferLength(), ScsiStatus.name(response.status()), hex(sense.key()),
                hex(sense.asc()), hex(sense.ascq()), response.dataLength());
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
