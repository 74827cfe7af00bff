package org.prhelper.transport;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;
import org.prhelper.api.ClientInfo;
import org.prhelper.api.SocketInfo;
import org.prhelper.unixsocket.Fds;
import org.prhelper.unixsocket.SocketFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket and its connections: a thread accepts them and hands them to the serving
 * threads ({@link ServingLoops}). junixsocket stops accepting when the socket file is removed or
 * replaced, so the file must stay where it was bound.
 */
final class Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
    /**
     * How long the accept thread of an inherited socket waits in accept() once the socket was ready:
     * another process holding the socket (the next agent of a handoff) may have taken the connection.
     */
    private static final int ACCEPT_POLL_MILLIS = 200;
    /** How long stopping waits for aborted connections whose serving thread is free to close them. */
    private static final long ABORT_WAIT_MILLIS = 200;

    private final SocketSettings settings;
    private final SocketServices services;
    private final AFUNIXServerSocket server;
    private final Path path;
    /** The socket file's identity when we bound it; null for an inherited socket (not ours to delete). */
    private final SocketFile.Identity identity;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    /** Requests handled on connections that have closed; the open ones count their own. */
    private final AtomicLong closedRequests = new AtomicLong();
    /**
     * Where the accept thread of an inherited socket waits for a connection, or to be woken at stop:
     * closing our duplicate does not wake accept() (junixsocket.md). Null for a socket bound here.
     */
    private final Epoll ready;
    private boolean readyClosed;
    private final Thread acceptor;
    private volatile boolean closing;

    Listener(SocketSettings settings, SocketServices services) throws IOException {
        this.settings = settings;
        this.services = services;
        if (settings.inheritedFd() >= 0) {
            // Socket activation: systemd created, bound and owns the socket file; serve it as it is,
            // through a duplicate. The inherited number stays open: a listener opened again for it (a
            // changed limit, a refreshed bundle) finds the same socket there, where a number we had
            // closed could by then be any other descriptor of the process.
            int own = Descriptors.duplicate(settings.inheritedFd());
            try {
                server = FileDescriptorCast.unsafeUsing(own).as(AFUNIXServerSocket.class);
            } catch (IOException | RuntimeException e) {
                Descriptors.close(own);
                throw e;
            }
            server.setDeleteOnClose(false);
            // Another process (systemd, prhelper-vm) keeps the socket and may hand it to the next agent,
            // so stopping must close only our descriptor (Fds.release); the accept thread then learns of
            // a stop from the epoll it waits at, not from a shutdown.
            server.setSoTimeout(ACCEPT_POLL_MILLIS);
            ready = new Epoll();
            try {
                ready.watch(own, Epoll.IN);
            } catch (IOException e) {
                ready.close();
                Fds.release(server.getFileDescriptor());
                throw e;
            }
            path = inheritedPath(server, settings);
            identity = null;
        } else {
            ready = null;
            path = settings.path();
            Files.createDirectories(path.getParent());
            // Like qemu-pr-helper: a file left at the path (a stale socket) is replaced.
            Files.deleteIfExists(path);
            server = AFUNIXServerSocket.newInstance();
            server.setDeleteOnClose(false);
            try {
                // bind() with a backlog also listens: the path appears a moment before connections are taken.
                server.bind(AFUNIXSocketAddress.of(path), settings.backlog());
                SocketFile.apply(path, settings.mode(), settings.owner(), settings.group());
                identity = SocketFile.identity(path);
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        acceptor = new Thread(this::acceptLoop, "prhelper-accept " + path);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * The path the inherited socket is bound to, for logs and the shell; the configured one if the
     * socket has no name, or if no file has that name any more (bin/prhelper-vm binds under a
     * temporary name and renames the file into place once it listens).
     */
    private static Path inheritedPath(AFUNIXServerSocket server, SocketSettings settings) {
        AFUNIXSocketAddress address = server.getLocalSocketAddress();
        if (address == null || !address.hasFilename()) {
            return settings.path();
        }
        Path bound = Path.of(address.getPath());
        return Files.exists(bound, LinkOption.NOFOLLOW_LINKS) ? bound : settings.path();
    }

    /** Where clients connect: the configured path, or where an inherited socket is bound. */
    Path path() {
        return path;
    }

    SocketSettings settings() {
        return settings;
    }

    int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        try {
            accept();
        } finally {
            if (ready != null) {
                closeReady();
            }
        }
    }

    /** The epoll goes with the accept thread; until then a stop may still wake it. */
    private synchronized void closeReady() {
        readyClosed = true;
        ready.close();
    }

    private synchronized void wakeAcceptor() {
        if (!readyClosed) {
            try {
                ready.wakeAll();
            } catch (IOException e) {
                LOG.warn("{}: cannot wake the accept thread: {}", path, e.getMessage());
            }
        }
    }

    private void accept() {
        Epoll.Events event = ready == null ? null : new Epoll.Events(1);
        while (!closing) {
            AFUNIXSocket socket;
            try {
                if (event != null && (ready.await(event, -1) == 0 || closing)) {
                    continue; // interrupted, or woken to stop
                }
                socket = server.accept();
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                if (!closing) {
                    LOG.error("Accept on {} failed; no longer serving it", path, e);
                }
                return;
            }
            if (connections.size() >= settings.maxConnections()) {
                LOG.warn("{}: {} connections already (maxConnections); refusing one", path,
                        connections.size());
                closeQuietly(socket);
                continue;
            }
            String name = services.socketName() + "#" + counter.incrementAndGet();
            Connection[] self = new Connection[1];
            Connection c;
            try {
                c = Connection.open(socket, services, () -> {
                    closedRequests.addAndGet(self[0].requests());
                    connections.remove(self[0]);
                }, name);
            } catch (IOException e) {
                LOG.debug("{}: connection lost before it was served: {}", name, e.toString());
                continue;
            }
            self[0] = c;
            connections.add(c);
            try {
                services.requests().loops().register(c);
            } catch (IOException e) {
                LOG.error("{}: cannot serve a new connection", path, e);
                c.close();
            }
        }
    }

    /** Who is connected and how much was served, as {@code name} at the time of the call. */
    SocketInfo snapshot(String name) {
        List<ClientInfo> clients = new ArrayList<>();
        long requests = closedRequests.get();
        for (Connection c : connections) {
            ClientInfo info = c.snapshot();
            clients.add(info);
            requests += info.requests();
        }
        clients.sort(Comparator.comparing(ClientInfo::connectedSince).thenComparing(ClientInfo::id));
        return new SocketInfo(name, path.toString(), !closing && acceptor.isAlive(), requests, clients);
    }

    private static void closeQuietly(AFUNIXSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do.
        }
    }

    /**
     * Stops accepting, removes the socket file (if it is still ours), lets requests in progress finish
     * for up to {@code graceMillis}, then ends whatever connection is left.
     */
    void close(long graceMillis) {
        closing = true;
        if (ready != null) {
            // Inherited: let the accept thread return before our descriptor goes, else a client that
            // connects meanwhile could be accepted and dropped instead of waiting for the next agent.
            wakeAcceptor();
            try {
                acceptor.join(ACCEPT_POLL_MILLIS * 5L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Fds.release(server.getFileDescriptor());
            } catch (IOException e) {
                LOG.debug("Closing our descriptor of {}: {}", path, e.toString());
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", path, e.toString());
        }
        removeSocketFile();
        for (Connection c : connections) {
            c.shutdownInput();
        }
        Polling.until(connections::isEmpty, graceMillis, 10);
        // Their requests outlasted the grace: the clients see the connection end now, and each is closed
        // by its serving thread once its request returns.
        for (Connection c : connections) {
            c.abort();
        }
        Polling.until(connections::isEmpty, ABORT_WAIT_MILLIS, 10);
    }

    private void removeSocketFile() {
        if (identity == null) {
            return;
        }
        try {
            // Another agent may have taken the path over since: leave its socket alone.
            identity.deleteIfStill(path);
        } catch (IOException e) {
            LOG.debug("Socket file {} not removed: {}", path, e.toString());
        }
    }
}
