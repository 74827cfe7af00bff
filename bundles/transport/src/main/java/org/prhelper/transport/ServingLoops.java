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
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.prhelper.transport.Connection.Step;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that serve the connections of every socket. A few threads (one per core) wait on one
 * epoll; each takes ready connections from it and serves one request of each itself, so a request
 * costs no hand-off between threads, and ready connections are served in turn however many there
 * are (a thread per connection left hundreds of runnable threads to the kernel's scheduler, which
 * made some requests wait seconds).
 *
 * <p>A device command waits without holding a serving thread: a request its policy allows goes to
 * its device's line ({@link DeviceLines}), where a worker ({@link DeviceWorkers}) runs it and sends
 * the reply; the connection stays unarmed meanwhile (one request at a time, as the protocol has it).
 * Only a device that has lately answered within a hand-off's cost runs its commands on the serving
 * thread. Should such a command then take long (a device that stops answering, a dispatcher being
 * replaced), a watchdog replaces a thread that has been in one request for longer than
 * {@link #STALL_MILLIS}: a new thread takes over the rest of its batch of events and its place at the
 * epoll, the old one ends once its request is done, and that device's next commands go to the workers.
 */
@Component(service = ServingLoops.class, configurationPid = ServingConfig.PID)
@Designate(ocd = ServingConfig.class)
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
    /** How long device workers stand idle before they end. */
    private static final long WORKER_KEEP_ALIVE_MILLIS = 60_000;

    private final Epoll epoll;
    private final long stallNanos;
    /** Registered connections by descriptor number, which epoll's events carry. */
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final Set<Server> servers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final AtomicLong replaced = new AtomicLong();
    private final Thread watchdog;
    private final DeviceWorkers workers;
    private final DeviceLines lines;
    /** Requests handed to a worker and not yet answered: the epoll stays until they are. */
    private final AtomicInteger atWorkers = new AtomicInteger();
    /** Serving threads waiting at the epoll for events, or about to. */
    private final AtomicInteger waitingServers = new AtomicInteger();
    private volatile boolean stopping;
    private boolean epollClosed;

    @Activate
    public ServingLoops(ServingConfig config) throws IOException {
        this(Runtime.getRuntime().availableProcessors(), STALL_MILLIS,
                limit(config.maxDeviceCommands(), "maxDeviceCommands", ServingConfig.DEFAULT_MAX_DEVICE_COMMANDS),
                limit(config.maxDeviceCommandsPerDevice(), "maxDeviceCommandsPerDevice",
                        ServingConfig.DEFAULT_MAX_DEVICE_COMMANDS_PER_DEVICE));
    }

    ServingLoops(int threads, long stallMillis) throws IOException {
        this(threads, stallMillis, ServingConfig.DEFAULT_MAX_DEVICE_COMMANDS,
                ServingConfig.DEFAULT_MAX_DEVICE_COMMANDS_PER_DEVICE);
    }

    ServingLoops(int threads, long stallMillis, int maxDeviceCommands, int perDevice) throws IOException {
        this(threads, stallMillis, maxDeviceCommands, perDevice, DeviceLines.INLINE_NANOS);
    }

    /** {@code inlineNanos}: see {@link DeviceLines}; tests choose one path for every command. */
    ServingLoops(int threads, long stallMillis, int maxDeviceCommands, int perDevice, long inlineNanos)
            throws IOException {
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        this.workers = new DeviceWorkers(maxDeviceCommands, WORKER_KEEP_ALIVE_MILLIS);
        this.lines = new DeviceLines(workers, perDevice, inlineNanos);
        this.epoll = new Epoll();
        for (int i = 0; i < threads; i++) {
            start(new Server(null));
        }
        watchdog = new Thread(() -> watch(Math.max(1, stallMillis / 2)), "prhelper-serve-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** New limits apply to the next command; commands at devices finish as they are. */
    @Modified
    void configure(ServingConfig config) {
        workers.limit(limit(config.maxDeviceCommands(), "maxDeviceCommands", workers.limit()));
        lines.perDevice(limit(config.maxDeviceCommandsPerDevice(), "maxDeviceCommandsPerDevice", lines.perDevice()));
    }

    /** The value if it is in range, else (with a log line naming the key) the one kept. */
    private static int limit(int value, String key, int kept) {
        if (value >= 1 && value <= ServingConfig.MAX) {
            return value;
        }
        LOG.error("Configuration {}: {} = {} is outside 1..{}; keeping {}", ServingConfig.PID, key, value,
                ServingConfig.MAX, kept);
        return kept;
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

    int maxDeviceCommands() {
        return workers.limit();
    }

    int maxDeviceCommandsPerDevice() {
        return lines.perDevice();
    }

    /** Threads waiting for devices now. */
    int workerCount() {
        return workers.threads();
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
            workers.reap(now);
            for (Server s : servers) {
                long held = s.heldFor(now);
                if (held > stallNanos && !s.replaced && !s.onLoan) {
                    s.replaced = true;
                    s.markHeld();
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
                            TimeUnit.NANOSECONDS.toMillis(held));
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

        boolean allClaimed() {
            return next.get() >= fds.length;
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
        /**
         * Counts the requests served, up by one as each begins and as it ends: odd while one is served.
         * The watchdog times a request by its own clock, so serving reads none.
         */
        private volatile long served;
        /** By the watchdog only: the count it last saw odd, and when it first saw that. */
        private long watched = -1;
        private long watchedSince;
        /** The line of the device whose command runs on this thread, else null. */
        private DeviceLines.Line line;
        /** The line marked held by the watchdog, until the command that held this thread returns. */
        private DeviceLines.Line held;
        /** Waiting at a device while another serving thread serves the epoll: not held, not replaced. */
        private volatile boolean onLoan;
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
                    batch = inherited; // held again, a successor takes what is left of it
                    serveBatch(inherited);
                }
                while (!replaced && !stopping) {
                    int n;
                    waitingServers.incrementAndGet();
                    try {
                        n = epoll.await(events, 0);
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
                    } finally {
                        waitingServers.decrementAndGet();
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

        /**
         * By the watchdog: how long it has seen the request being served now (it began at most a period
         * earlier), 0 between requests.
         */
        long heldFor(long now) {
            long n = served;
            if ((n & 1) == 0) {
                return 0;
            }
            if (n != watched) {
                watched = n;
                watchedSince = now;
            }
            return now - watchedSince;
        }

        /** By the watchdog: the device of the command holding this thread runs no more commands inline. */
        synchronized void markHeld() {
            if (line != null && (served & 1) != 0) {
                held = line;
                held.held();
            }
        }

        synchronized void inLine(DeviceLines.Line l, boolean loan) {
            line = l;
            onLoan = loan;
        }

        /** The command run here has returned: its line may run commands inline again. */
        synchronized void outOfLine() {
            if (held != null) {
                held.unheld();
                held = null;
            }
            line = null;
            onLoan = false;
        }

        private void serveBatch(Batch b) {
            int fd;
            while ((fd = b.claim()) != Integer.MIN_VALUE) {
                Connection c = connections.get(fd);
                if (c == null) {
                    continue; // the wake-up at stop, or a connection forgotten meanwhile
                }
                served++; // only this thread writes it
                try {
                    serve(c, this);
                } finally {
                    served++;
                }
            }
        }
    }

    private void serve(Connection c, Server server) {
        Step step;
        try {
            step = c.serve();
            if (step == Step.EXECUTE) {
                DeviceLines.Line line = c.line(lines);
                // A slow device's command waits here, without a hand-off (two thread wake-ups), when
                // another serving thread waits at the epoll and this one has no other event to serve:
                // nobody waits behind it. At load every thread has events, and commands go to workers.
                boolean loan = !lines.fast(line) && waitingServers.get() > 0 && server.batch.allClaimed();
                server.inLine(line, loan);
                boolean ranHere;
                try {
                    ranHere = lines.runOrQueue(line, c, loan);
                } finally {
                    server.outOfLine();
                }
                if (!ranHere) {
                    // A worker answers (answered()). Its count may drop below zero for a moment if it is
                    // quick; the epoll cannot close meanwhile, since this thread still serves.
                    atWorkers.incrementAndGet();
                    return;
                }
                step = c.reply();
            }
        } catch (Error e) {
            // A LinkageError from a bundle refreshed mid-request, or memory running out: this connection
            // ends (the client reconnects), the thread and the others go on.
            LOG.error("Serving a connection failed; closing it", e);
            step = Step.CLOSE;
        }
        settle(c, step);
    }

    /** A worker's device command is done: reply, and wait for the connection's next request. */
    void answered(Connection c) {
        Step step;
        try {
            step = c.reply();
        } catch (Error e) {
            LOG.error("Answering a connection failed; closing it", e);
            step = Step.CLOSE;
        }
        try {
            settle(c, step);
        } finally {
            atWorkers.decrementAndGet();
            closeEpollOnceStopped();
        }
    }

    private void settle(Connection c, Step step) {
        if (step == Step.ARM && !stopping) {
            try {
                epoll.arm(c.fd(), c.interest());
                return;
            } catch (IOException e) {
                LOG.warn("Cannot watch a connection any more; closing it: {}", e.getMessage());
            }
        }
        // Forgotten before its number is closed (the number is the connection's own duplicate, open
        // until close), so a new connection given that number is not taken for this one. Once stopping,
        // nobody serves the epoll: the connection's listener has ended it, and it is closed now.
        connections.remove(c.fd(), c);
        if (!stopping) {
            try {
                epoll.remove(c.fd());
            } catch (IOException e) {
                LOG.debug("{}", e.getMessage());
            }
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
        workers.stop();
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

    /**
     * The epoll goes with the last serving thread and the last answer from a worker: until then a
     * connection may still be armed or removed.
     */
    private synchronized void closeEpollOnceStopped() {
        if (stopping && servers.isEmpty() && atWorkers.get() == 0 && !epollClosed) {
            epollClosed = true;
            epoll.close();
        }
    }
}
