package org.prhelper.transport;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that serve the connections of every socket. A few threads (one per core) wait on one
 * epoll; each takes ready connections from it and serves one request of each itself, so a request
 * costs no hand-off between threads, and ready connections are served in turn however many there
 * are (a thread per connection left hundreds of runnable threads to the kernel's scheduler, which
 * made some requests wait seconds).
 *
 * <p>A request can take long: a slow device, a dispatcher being replaced, an ioctl that never returns.
 * So that it holds up only itself, a watchdog replaces a thread that has been in one request for
 * longer than {@link #STALL_MILLIS}: a new thread takes over the rest of its batch of events and its
 * place at the epoll, and the old one ends once its request is done.
 */
@Component(service = ServingLoops.class)
public final class ServingLoops {
    private static final Logger LOG = LoggerFactory.getLogger(ServingLoops.class);
    /**
     * How long one request may hold a serving thread before another takes its place: longer than a
     * PR command on a healthy device takes (about a millisecond), short enough that the requests
     * behind it hardly notice.
     */
    static final long STALL_MILLIS = 20;
    /** Events taken from epoll at once by one thread. */
    private static final int BATCH = 32;
    /** How long stopping waits for the serving threads to end. */
    private static final long STOP_WAIT_MILLIS = 1000;

    private final Epoll epoll;
    private final long stallNanos;
    /** Registered connections by descriptor number, which epoll's events carry. */
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final Set<Server> servers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final AtomicLong replaced = new AtomicLong();
    private final Thread watchdog;
    private volatile boolean stopping;
    private boolean epollClosed;

    @Activate
    public ServingLoops() throws IOException {
        this(Runtime.getRuntime().availableProcessors(), STALL_MILLIS);
    }

    ServingLoops(int threads, long stallMillis) throws IOException {
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        this.epoll = new Epoll();
        for (int i = 0; i < threads; i++) {
            start(new Server(null));
        }
        watchdog = new Thread(() -> watch(Math.max(1, stallMillis / 2)), "prhelper-serve-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Starts serving a connection: from now on its events go to the serving threads. */
    void register(Connection c) throws IOException {
        connections.put(c.fd(), c);
        try {
            epoll.add(c.fd(), c.interest());
        } catch (IOException e) {
            connections.remove(c.fd(), c);
            throw e;
        }
    }

    /** Serving threads now, replaced ones whose request is still running included. */
    int threadCount() {
        return servers.size();
    }

    /** How often a thread was replaced because one request held it too long. */
    long replacements() {
        return replaced.get();
    }

    private void start(Server s) {
        Thread t = new Thread(s, "prhelper-serve-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        servers.add(s);
        try {
            t.start();
        } catch (OutOfMemoryError e) {
            servers.remove(s);
            throw e;
        }
    }

    private void watch(long periodMillis) {
        while (!stopping) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Server s : servers) {
                long since = s.busySince;
                if (since != 0 && !s.replaced && now - since > stallNanos) {
                    s.replaced = true;
                    try {
                        start(new Server(s.batch));
                    } catch (OutOfMemoryError e) {
                        // No thread to be had now: the held one keeps its place, and the next round retries.
                        s.replaced = false;
                        LOG.error("Cannot start a serving thread in place of one held by a request", e);
                        continue;
                    }
                    replaced.incrementAndGet();
                    LOG.debug("A request has held a serving thread for {} ms: another takes its place",
                            TimeUnit.NANOSECONDS.toMillis(now - since));
                }
            }
        }
    }

    /**
     * The events of one wait, claimed one at a time by the thread that waited and, once it is held by
     * a request, by its successor: each event is served exactly once. A wait's descriptors are copied
     * out of the native buffer, which the next wait overwrites while a successor may still be serving
     * this batch.
     */
    private static final class Batch {
        static final Batch EMPTY = new Batch(null, 0);
        private final int[] fds;
        private final AtomicInteger next = new AtomicInteger();

        Batch(Epoll.Events events, int n) {
            fds = new int[n];
            for (int i = 0; i < n; i++) {
                fds[i] = events.fd(i);
            }
        }

        /** The next unclaimed descriptor, or {@link Integer#MIN_VALUE} when all are claimed. */
        int claim() {
            int i = next.getAndIncrement();
            return i < fds.length ? fds[i] : Integer.MIN_VALUE;
        }
    }

    /** One serving thread: waits on the epoll and serves the connections it gets, in turn. */
    private final class Server implements Runnable {
        private final Epoll.Events events = new Epoll.Events(BATCH);
        /** The batch being served; a successor serves what is left of it. */
        private volatile Batch batch = Batch.EMPTY;
        /** When the request being served started (never 0 then); 0 between requests. */
        private volatile long busySince;
        private volatile boolean replaced;
        /** What is left of the predecessor's batch, served first; null for a first thread. */
        private final Batch inherited;

        Server(Batch inherited) {
            this.inherited = inherited;
        }

        @Override
        public void run() {
            try {
                if (inherited != null) {
                    serveBatch(inherited);
                }
                while (!replaced && !stopping) {
                    int n = epoll.await(events, 0);
                    if (n == 0) {
                        // Nothing ready: let the clients just answered run on this core, so their next
                        // requests are likely there when we look again, instead of sleeping and being
                        // woken (a context switch per request).
                        Thread.yield();
                        n = epoll.await(events, 0);
                        if (n == 0) {
                            n = epoll.await(events, -1);
                        }
                    }
                    Batch b = new Batch(events, n);
                    batch = b;
                    serveBatch(b);
                }
            } catch (IOException | RuntimeException | Error e) {
                if (!stopping) {
                    // Keep the number of serving threads: this one's place is taken by a new one.
                    LOG.error("A serving thread failed; starting another", e);
                    replaced = true;
                    start(new Server(null));
                }
            } finally {
                servers.remove(this);
                closeEpollOnceStopped();
            }
        }

        private void serveBatch(Batch b) {
            int fd;
            while ((fd = b.claim()) != Integer.MIN_VALUE) {
                Connection c = connections.get(fd);
                if (c == null) {
                    continue; // the wake-up at stop, or a connection forgotten meanwhile
                }
                busySince = System.nanoTime() | 1;
                try {
                    serve(c);
                } finally {
                    busySince = 0;
                }
            }
        }
    }

    private void serve(Connection c) {
        boolean open;
        try {
            open = c.serve();
        } catch (Error e) {
            // A LinkageError from a bundle refreshed mid-request, or memory running out: this connection
            // ends (the client reconnects), the thread and the others go on.
            LOG.error("Serving a connection failed; closing it", e);
            open = false;
        }
        if (open) {
            try {
                epoll.arm(c.fd(), c.interest());
                return;
            } catch (IOException e) {
                LOG.warn("Cannot watch a connection any more; closing it: {}", e.getMessage());
            }
        }
        // Forgotten before its number is closed (the number is the connection's own duplicate, open
        // until close), so a new connection given that number is not taken for this one.
        connections.remove(c.fd(), c);
        try {
            epoll.remove(c.fd());
        } catch (IOException e) {
            LOG.debug("{}", e.getMessage());
        }
        c.close();
    }

    /**
     * Stops serving. The sockets' listeners have ended their connections already (they depend on this
     * component); a thread still in a request ends when that request does.
     */
    @Deactivate
    void stop() {
        stopping = true;
        watchdog.interrupt();
        try {
            epoll.wakeAll();
        } catch (IOException e) {
            LOG.warn("Cannot wake the serving threads: {}", e.getMessage());
        }
        if (!Polling.until(servers::isEmpty, STOP_WAIT_MILLIS, 5)) {
            LOG.warn("{} serving thread(s) still in a request at stop; they end with it", servers.size());
        }
        closeEpollOnceStopped();
    }

    /** The epoll goes with the last serving thread: one still in a request may arm a connection. */
    private synchronized void closeEpollOnceStopped() {
        if (stopping && servers.isEmpty() && !epollClosed) {
            epollClosed = true;
            epoll.close();
        }
    }
}
