package org.prhelper.transport;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.FieldOption;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.prhelper.api.HandoffSocket;
import org.prhelper.api.SocketHandoff;
import org.prhelper.api.SocketInfo;
import org.prhelper.policy.SocketPolicy;
import org.prhelper.unixsocket.Fds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves listening sockets handed off by other processes through the same {@link Listener} as a
 * configured socket with an inherited descriptor (systemd socket activation), so they behave alike:
 * same accept loop, connections, audit and statistics. Also registered under this class for
 * {@link TransportDirectory}.
 */
@Component(service = {SocketHandoff.class, HandoffSockets.class})
public final class HandoffSockets implements SocketHandoff {
    private static final Logger LOG = LoggerFactory.getLogger(HandoffSockets.class);
    private static final int BACKLOG_UNUSED = 128;
    private static final int MAX_CONNECTIONS = 4096;

    private final RequestServices requests;

    /** Only to keep names unique across configured and handed-off sockets. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            fieldOption = FieldOption.UPDATE)
    private final List<SocketTransport> configured = new CopyOnWriteArrayList<>();

    /** By name; guarded by itself. */
    private final Map<String, Served> served = new LinkedHashMap<>();

    @Activate
    public HandoffSockets(@Reference(name = "requests") RequestServices requests) {
        this.requests = requests;
    }

    @Override
    public HandoffSocket serve(String requestedName, String path, FileDescriptor listening) throws IOException {
        // The listener serves a duplicate of its own, and the received descriptor is closed here, through
        // its own object: junixsocket closes a received descriptor once more when the connection that
        // brought it closes, unless it was closed through that same object.
        try {
            if (path == null || !path.startsWith("/")) {
                throw new IOException("socket path '" + path + "' is not absolute");
            }
            int fd = Fds.number(listening);
            UnixSockets.requireListeningStream(fd);
            synchronized (served) {
                Set<String> taken = new HashSet<>(served.keySet());
                for (SocketTransport t : configured) {
                    taken.add(t.socketName());
                }
                String name = SocketNames.unique(requestedName, taken);
                Served s = new Served(name);
                SocketSettings settings = new SocketSettings(Path.of(path), null, "", "", BACKLOG_UNUSED,
                        MAX_CONNECTIONS, fd);
                s.listener = new Listener(settings, s);
                served.put(name, s);
                LOG.info("Serving pr-helper protocol on {} (socket {}, handed off)", s.listener.path(), name);
                return s;
            }
        } finally {
            Fds.release(listening);
        }
    }

    /** What the handed-off sockets are doing, for the socket directory. */
    List<SocketInfo> snapshots() {
        List<Served> now;
        synchronized (served) {
            now = new ArrayList<>(served.values());
        }
        List<SocketInfo> infos = new ArrayList<>();
        for (Served s : now) {
            infos.add(s.listener.snapshot(s.name));
        }
        return infos;
    }

    @Deactivate
    void stop() {
        List<Served> all;
        synchronized (served) {
            all = new ArrayList<>(served.values());
        }
        for (Served s : all) {
            s.close();
        }
    }

    private final class Served implements HandoffSocket, SocketServices {
        private final String name;
        private Listener listener;
        private boolean closed;

        Served(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String path() {
            return listener.path().toString();
        }

        @Override
        public void close() {
            synchronized (served) {
                if (closed) {
                    return;
                }
                closed = true;
                served.remove(name);
            }
            listener.close(SocketTransport.STOP_GRACE_MILLIS);
            LOG.info("Stopped serving {} (socket {}, handed off)", listener.path(), name);
        }

        @Override
        public String socketName() {
            return name;
        }

        @Override
        public SocketPolicy policy() {
            return SocketPolicy.ALLOW_ALL;
        }

        @Override
        public RequestServices requests() {
            return requests;
        }
    }
}
