package org.prhelper.handoff;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.api.SocketHandoff;
import org.prhelper.unixsocket.SocketFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket of the shared agent: each bin/prhelper-vm (one per VM) connects, hands over its
 * bound and listening socket with one message, and keeps the connection open while the VM runs. The
 * socket is served until that connection ends (prhelper-vm stopped, or this agent stopping), so a
 * helper's exit stops exactly its own socket. A configuration change re-creates the component: the
 * connections close, and the helpers connect again and hand their sockets over anew.
 */
@Component(service = {}, immediate = true, configurationPid = ControlSocket.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = HandoffConfig.class)
public final class ControlSocket {
    static final String PID = "org.prhelper.handoff";
    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);
    /** prhelper-vm sends its request right after connecting: a silent peer does not hold a thread long. */
    static final int REQUEST_TIMEOUT_MILLIS = 5000;

    private final SocketHandoff handoff;
    private final long ownUid;
    private final Set<ControlConnection> connections = ConcurrentHashMap.newKeySet();
    private final Path path;
    /** Null when disabled or when the socket could not be opened (logged). */
    private final AFUNIXServerSocket server;
    private final SocketFile.Identity identity;
    private volatile boolean closing;

    @Activate
    public ControlSocket(HandoffConfig config, @Reference(name = "handoff") SocketHandoff handoff) {
        this.handoff = handoff;
        this.ownUid = ownUid();
        this.path = Path.of(config.path() == null ? "" : config.path().trim());
        AFUNIXServerSocket opened = null;
        SocketFile.Identity openedIdentity = null;
        if (!config.enabled()) {
            LOG.info("Handoff control socket disabled (enabled = false in {})", PID);
        } else {
            try {
                opened = open(config);
                openedIdentity = SocketFile.identity(path);
            } catch (IOException | IllegalArgumentException e) {
                LOG.error("Handoff control socket {} not opened ({}): {}", path, PID, e.getMessage());
                closeQuietly(opened);
                opened = null;
            }
        }
        server = opened;
        identity = openedIdentity;
        if (server != null) {
            Thread t = new Thread(this::acceptLoop, "prhelper-handoff accept " + path);
            t.setDaemon(true);
            t.start();
            LOG.info("Accepting per-VM sockets from prhelper-vm on {}", path);
        }
    }

    private AFUNIXServerSocket open(HandoffConfig config) throws IOException {
        String p = path.toString();
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path = '" + p + "': must be absolute");
        }
        if (p.getBytes(StandardCharsets.UTF_8).length > HandoffRequest.MAX_PATH_BYTES) {
            throw new IllegalArgumentException("path = '" + p + "': longer than " + HandoffRequest.MAX_PATH_BYTES
                    + " bytes, the limit of a Unix socket address");
        }
        Set<PosixFilePermission> mode = SocketFile.mode(config.mode());
        Files.createDirectories(path.getParent());
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (SocketFile.answers(path)) {
                // Several agents may run (one per host, or the older one JVM per VM): the first keeps it.
                throw new IOException("another agent already serves it");
            }
            Files.delete(path); // stale, left by an agent that was killed
        }
        AFUNIXServerSocket s = AFUNIXServerSocket.newInstance();
        try {
            s.setDeleteOnClose(false);
            s.bind(AFUNIXSocketAddress.of(path), 16);
            SocketFile.apply(path, mode, config.owner(), config.group());
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** The agent's own user: /proc/self belongs to the process's effective uid. */
    private static long ownUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return 0; // then only root may hand sockets over
        }
    }

    private void acceptLoop() {
        while (!closing) {
            AFUNIXSocket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.error("Accept on the handoff control socket {} failed; no longer accepting", path, e);
                }
                return;
            }
            ControlConnection c = new ControlConnection(socket, handoff, ownUid, connections::remove);
            connections.add(c);
            Thread t = new Thread(c, "prhelper-handoff connection");
            t.setDaemon(true);
            try {
                t.start();
            } catch (OutOfMemoryError e) {
                connections.remove(c);
                LOG.error("Cannot start a thread for a handoff connection", e);
                c.close();
            }
            if (closing) {
                c.close(); // deactivation ran while this one was being accepted
            }
        }
    }

    /** Stops accepting, removes the socket file if it is still ours, stops every handed-off socket. */
    @Deactivate
    void stop() {
        closing = true;
        if (server == null) {
            return;
        }
        closeQuietly(server);
        try {
            identity.deleteIfStill(path);
        } catch (IOException e) {
            LOG.debug("Control socket file {} not removed: {}", path, e.toString());
        }
        // Each socket's stop waits for its accept thread (up to a poll period) and for requests in
        // progress: in parallel, so that many VMs do not add up to a slow agent stop.
        List<Thread> closers = new ArrayList<>();
        for (ControlConnection c : new ArrayList<>(connections)) {
            Thread t = new Thread(c::close, "prhelper-handoff stop");
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("Stopped accepting per-VM sockets on {}", path);
    }

    private static void closeQuietly(AFUNIXServerSocket s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
