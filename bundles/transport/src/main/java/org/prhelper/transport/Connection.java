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
import org.prhelper.unixsocket.Fds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: handshake, then request after request, each checked against the socket's
 * policy, executed, answered and audited. The socket is non-blocking and served by whichever
 * {@link ServingLoops} thread takes its readiness event; the one-shot registration guarantees that one
 * thread at a time serves it, and only that thread closes it.
 */
final class Connection implements DeviceLines.Command {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** Room for the most descriptors one message can carry (SCM_MAX_FD 253), so extras are seen and closed. */
    private static final int ANCILLARY_BUFFER = 253 * 4 + 64;

    private final AFUNIXSocket socket;
    private final int fd;
    private final SocketServices services;
    private final Runnable onClose;
    private final String name;
    private final Instant connectedSince = Instant.now();
    private final PeerIdentity peer;
    private final ServerProtocol protocol;
    private final PrRequest request = new PrRequest();
    private final PrResponse response = new PrResponse();
    /**
     * A reply waits for room in the socket: flush it before reading the next request. The serving
     * thread changes between events: each serve reads this volatile before it touches the connection
     * and writes it last, which orders one thread's work on the connection before the next one's.
     */
    private volatile boolean writing;
    /** Written only by the thread serving the connection (so ++ loses nothing), read by snapshots. */
    private volatile long requests;
    private volatile boolean closed;
    /** Opcode << 8 | service action of the last request, -1 before the first: no string per request. */
    private volatile int lastCommand = -1;
    /**
     * When the request being served was read ({@link System#nanoTime()}, never 0), 0 between requests;
     * volatile for snapshots.
     */
    private volatile long started;
    /**
     * The request being served, from its policy check to its reply, which may be on different threads:
     * the handoff between them (a worker queue, or the same thread) orders these plain fields.
     * {@code answered} is when its device answered (or the policy refused it).
     */
    private long answered;
    private DeviceIdentity identity;
    private Decision decision;
    private long lineKey;
    private DeviceLines.Line line;

    private Connection(AFUNIXSocket socket, SocketServices services, Runnable onClose, String name)
            throws IOException {
        this.socket = socket;
        this.services = services;
        this.onClose = onClose;
        this.name = name;
        // SO_PEERCRED holds the credentials of connect() time: read once per connection.
        this.peer = Peers.of(socket);
        socket.setAncillaryReceiveBufferSize(ANCILLARY_BUFFER);
        socket.getChannel().configureBlocking(false);
        this.protocol = new ServerProtocol(new JunixChannel(socket));
        // Epoll watches a number of our own: one junixsocket closed behind our back could be the next
        // client's at once, whose registration a late removal by number would then drop.
        this.fd = Descriptors.duplicate(Fds.number(socket.getFileDescriptor()));
    }

    /**
     * A newly accepted connection, ready to be registered with the serving threads; the socket is
     * closed if it cannot be set up.
     */
    static Connection open(AFUNIXSocket socket, SocketServices services, Runnable onClose, String name)
            throws IOException {
        Connection c;
        try {
            c = new Connection(socket, services, onClose, name);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            // The socket is new and empty: the four bytes of our features always fit.
            c.writing = !c.protocol.start();
        } catch (IOException e) {
            c.release();
            throw e;
        }
        return c;
    }

    /** The descriptor the serving threads watch: our own duplicate of the socket's. */
    int fd() {
        return fd;
    }

    /** What to wait for before serving again: room to finish a reply, or the next request. */
    int interest() {
        return writing ? Epoll.OUT : Epoll.IN;
    }

    long requests() {
        return requests;
    }

    ClientInfo snapshot() {
        int last = lastCommand;
        long since = started;
        return new ClientInfo(name, peer, connectedSince, requests,
                last < 0 ? null : PrCommands.name(last >> 8, last & 0xFF),
                since == 0 ? null : services.requests().clock().at(since));
    }

    /** What serving an event leaves to do. */
    enum Step {
        /** Wait for the connection's next event ({@link #interest}). */
        ARM,
        /** The connection has ended: forget it and {@link #close} it. */
        CLOSE,
        /** A request is allowed: run it at its device ({@link #execute}), then {@link #reply}. */
        EXECUTE
    }

    /**
     * Serves what the readiness event announced: the rest of a reply, or at most one request (the
     * others' turn comes first). A request the policy refuses is answered here; one it allows is left
     * for the device ({@link Step#EXECUTE}), and the connection waits, unarmed, until it is answered.
     */
    Step serve() {
        if (closed) {
            return Step.CLOSE;
        }
        try {
            if (writing) {
                writing = !protocol.flush();
                return Step.ARM;
            }
            ReadOutcome outcome = protocol.readRequest(request);
            if (outcome == ReadOutcome.REQUEST) {
                started = System.nanoTime() | 1;
                return admit();
            }
            if (outcome == ReadOutcome.INCOMPLETE) {
                writing = false;
                return Step.ARM;
            }
            if (outcome == ReadOutcome.END_OF_STREAM || outcome == ReadOutcome.REFUSED_FEATURES) {
                LOG.debug("{}: {}", name, outcome.reason());
            } else {
                LOG.warn("{}: closing connection: {}", name, outcome.reason());
            }
        } catch (IOException e) {
            LOG.debug("{}: connection ended: {}", name, e.toString());
        } catch (RuntimeException e) {
            LOG.error("{}: connection failed", name, e);
        }
        return Step.CLOSE;
    }

    /** Checks the request just read against the policy; answers it if refused. */
    private Step admit() throws IOException {
        response.reset();
        SocketPolicy policy = services.policy();
        // The device's identity also names the line its commands wait in (DeviceLines).
        identity = identify((ReceivedFd) request.device());
        decision = policy.check(peer, identity, request);
        if (decision.allowed()) {
            return Step.EXECUTE;
        }
        decision.applyTo(response);
        answered = System.nanoTime();
        return reply();
    }

    /**
     * The line the request's device commands wait in: its device numbers (a block device, a map, a
     * character device), or one line for whatever is no device or could not be identified.
     */
    long deviceKey() {
        DeviceIdentity d = identity;
        if (d == null || d.kind() == DeviceIdentity.Kind.OTHER) {
            return -1;
        }
        return (long) d.kind().ordinal() << 62 | (long) d.major() << 32 | (d.minor() & 0xFFFF_FFFFL);
    }

    /**
     * The line of the request's device; a connection mostly asks about one device, so the last line
     * is kept (no map lookup, no boxed key per request). By the thread serving the connection only.
     */
    DeviceLines.Line line(DeviceLines lines) {
        long key = deviceKey();
        if (line == null || key != lineKey || line.forgotten()) {
            line = lines.line(key);
            lineKey = key;
        }
        return line;
    }

    @Override
    public long received() {
        return started;
    }

    /** The device call of an allowed request; answers failures itself, never throws. */
    @Override
    public long execute() {
        PrHandler h = services.requests().handler();
        if (h == null) {
            // The dispatcher is being replaced: the same answer QEMU gives when it cannot reach a helper.
            response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        } else {
            try {
                h.handle(request, response);
            } catch (RuntimeException | Error e) {
                // An Error too (a backend bundle refreshed under the request, memory running out): the
                // guest gets an answer it retries, and the connection and its thread go on.
                LOG.warn("{}: request failed", name, e);
                response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
            }
        }
        answered = System.nanoTime();
        return answered;
    }

    /** After a worker's device call: the reply, and the connection's next event. */
    @Override
    public void then() {
        services.requests().loops().answered(this);
    }

    /**
     * Sends the answer of the request being served, records it, and releases its descriptor. ARM when
     * the connection waits for its next request or for room to finish the reply, CLOSE if it ended.
     */
    Step reply() {
        ReceivedFd device = (ReceivedFd) request.device();
        try {
            // Counted before the reply, so a client that has its answer finds it counted.
            lastCommand = request.opcode() << 8 | request.serviceAction();
            requests++;
            writing = !protocol.writeResponse(request, response);
            List<AuditSink> sinks = services.requests().audit();
            if (!sinks.isEmpty()) {
                audit(sinks, request, response, identity == null ? DeviceIdentity.UNKNOWN : identity, decision);
            }
            if (LOG.isTraceEnabled()) {
                trace(request, response);
            }
            return Step.ARM;
        } catch (IOException e) {
            LOG.debug("{}: connection ended: {}", name, e.toString());
            return Step.CLOSE;
        } catch (RuntimeException e) {
            LOG.error("{}: connection failed", name, e);
            return Step.CLOSE;
        } finally {
            started = 0;
            identity = null;
            decision = null;
            device.close();
            request.device(null);
        }
    }

    /** Null when no device inspector is registered: the policy then asks the guest to retry. */
    private DeviceIdentity identify(ReceivedFd fd) {
        DeviceInspector inspector = services.requests().inspector();
        return inspector == null ? null : inspector.identify(fd);
    }

    private void audit(List<AuditSink> sinks, PrRequest request, PrResponse response, DeviceIdentity device,
            Decision decision) {
        AuditRecord record = AuditRecord.of(services.requests().clock().at(answered), services.socketName(), peer,
                device, request, response, decision.allowed() ? "allow" : "deny: " + decision.rule(),
                answered - started);
        for (AuditSink sink : sinks) {
            try {
                sink.record(record);
            } catch (RuntimeException e) {
                // One faulty sink must not cost the others their record, nor the connection its thread.
                LOG.warn("{}: audit sink {} failed", name, sink.getClass().getName(), e);
            }
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

    /**
     * Ends the connection in both directions, for a client that did not go within the grace time; the
     * serving thread then finds it ended and closes it. Never closes the descriptor itself: its number
     * stays registered with epoll until the thread that owns the connection has forgotten it.
     */
    void abort() {
        shutdownInput();
        try {
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** Closes the socket and the descriptors of a partly read request; by the serving thread only. */
    void close() {
        if (closed) {
            return;
        }
        release();
        onClose.run();
    }

    private void release() {
        closed = true;
        protocol.discard();
        // A request read but never answered (an Error while checking it) still holds its descriptor.
        ReceivedFd device = (ReceivedFd) request.device();
        if (device != null) {
            device.close();
            request.device(null);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closed all the same.
        }
        Descriptors.close(fd);
    }
}
