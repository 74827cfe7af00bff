package org.prhelper.handoff;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.prhelper.api.HandoffSocket;
import org.prhelper.api.SocketHandoff;
import org.prhelper.unixsocket.Fds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prhelper-vm on the control socket: checks who it is, reads its one request with the listening
 * socket, has the transport serve it, answers, then waits for the end of the connection to stop it.
 */
final class ControlConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlConnection.class);
    /** Room for a few descriptors, so extra ones are received (and closed) rather than cut off. */
    private static final int ANCILLARY_BUFFER = 16 * 4 + 64;

    private final AFUNIXSocket socket;
    private final SocketHandoff handoff;
    private final long ownUid;
    private final Consumer<ControlConnection> onClose;
    private final List<FileDescriptor> received = new ArrayList<>();
    private HandoffSocket served;
    private boolean closed;

    ControlConnection(AFUNIXSocket socket, SocketHandoff handoff, long ownUid, Consumer<ControlConnection> onClose) {
        this.socket = socket;
        this.handoff = handoff;
        this.ownUid = ownUid;
        this.onClose = onClose;
    }

    @Override
    public void run() {
        String peer = "peer unknown";
        try {
            AFUNIXSocketCredentials credentials = socket.getPeerCredentials();
            long uid = credentials == null ? -1 : credentials.getUid();
            peer = "pid " + (credentials == null ? "?" : credentials.getPid()) + " uid " + uid;
            if (uid != 0 && uid != ownUid) {
                // Serving a socket means answering on it with CAP_SYS_RAWIO: no other user may ask for it.
                LOG.warn("Handoff refused: {} is neither root nor the agent's uid {}", peer, ownUid);
                answer("ERR only root and uid " + ownUid + " may hand sockets over to this agent");
                return;
            }
            String path = readRequest(peer);
            if (path == null) {
                return;
            }
            FileDescriptor listening = take();
            if (listening == null) {
                return;
            }
            HandoffSocket h;
            try {
                h = handoff.serve(VmSocketName.of(path), path, listening);
            } catch (IOException e) {
                LOG.warn("Handoff from {} of {} refused: {}", peer, path, e.getMessage());
                answer("ERR " + e.getMessage());
                return;
            }
            if (!keep(h)) {
                return;
            }
            answer("OK " + h.name());
            LOG.info("{} handed off {}: serving it as socket {}", peer, path, h.name());
            socket.setSoTimeout(0);
            int extra = socket.getInputStream().read();
            if (extra >= 0) {
                LOG.warn("{} sent data after its handoff; stopping socket {}", peer, h.name());
            } else {
                LOG.info("{} ended its handoff: stopping socket {}", peer, h.name());
            }
        } catch (IOException e) {
            LOG.debug("Handoff connection of {} ended: {}", peer, e.toString());
        } finally {
            close();
            onClose.accept(this);
        }
    }

    /** The socket path, with exactly one descriptor in {@link #received}; null after answering an error. */
    private String readRequest(String peer) throws IOException {
        socket.setAncillaryReceiveBufferSize(ANCILLARY_BUFFER);
        socket.setSoTimeout(ControlSocket.REQUEST_TIMEOUT_MILLIS);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[HandoffRequest.MAX_BYTES + 1];
        int length = 0;
        String path = null;
        try {
            while (path == null) {
                int n = in.read(buf, length, buf.length - length);
                collectDescriptors();
                if (n < 0) {
                    LOG.debug("{} closed the control connection before its request was complete", peer);
                    return null;
                }
                length += n;
                path = HandoffRequest.path(buf, length);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Handoff from {} refused: {}", peer, e.getMessage());
            answer("ERR " + e.getMessage());
            return null;
        }
        if (received.size() != 1) {
            String why = "expected the listening socket as the only descriptor, got " + received.size();
            LOG.warn("Handoff from {} of {} refused: {}", peer, path, why);
            answer("ERR " + why);
            return null;
        }
        return path;
    }

    private synchronized void collectDescriptors() throws IOException {
        FileDescriptor[] fds = socket.getReceivedFileDescriptors();
        if (fds != null) {
            for (FileDescriptor fd : fds) {
                received.add(fd);
            }
        }
    }

    /** The received descriptor, now owned by the caller; null if the connection was closed meanwhile. */
    private synchronized FileDescriptor take() {
        return closed || received.isEmpty() ? null : received.remove(0);
    }

    /** Keeps the handle unless the connection was closed meanwhile (deactivation), then stops it. */
    private synchronized boolean keep(HandoffSocket h) {
        if (closed) {
            h.close();
            return false;
        }
        served = h;
        return true;
    }

    private void answer(String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ends the connection and stops the socket it handed off; idempotent, from any thread. */
    void close() {
        HandoffSocket h;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            h = served;
            for (FileDescriptor fd : received) {
                Fds.release(fd);
            }
            received.clear();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
        if (h != null) {
            h.close();
        }
    }
}
