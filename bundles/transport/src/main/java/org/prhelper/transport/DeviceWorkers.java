package org.prhelper.transport;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that wait for devices: at most {@link #limit} at once, started when a command finds none
 * idle and ended once they have stood idle for {@code keepAliveMillis}, so an idle agent holds none and
 * a burst of 128 VMs at SAN latency gets 128. A thread pool with a fixed core size would start a thread
 * per task until it had them all, however few are needed; and its timed wait for work reads the clock
 * three times per task (system calls where the clock has no vDSO), so idle workers here wait untimed
 * and the serving loops' watchdog ends them ({@link #reap}).
 */
final class DeviceWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceWorkers.class);
    /** Taken by a worker at stop: it ends. Queued behind the work that came before the stop. */
    private static final Runnable STOP = () -> { };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger number = new AtomicInteger();
    private final long keepAliveNanos;
    private volatile int limit;
    private volatile boolean stopped;
    /** By {@link #reap} only: the fewest workers it saw idle since {@link #since}; MAX_VALUE: no look yet. */
    private int fewestIdle = Integer.MAX_VALUE;
    private long since;

    DeviceWorkers(int limit, long keepAliveMillis) {
        this.limit = limit;
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
    }

    /** A new limit: more threads start as work comes; threads over it end as they become idle. */
    void limit(int limit) {
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    int threads() {
        return threads.get();
    }

    /** Runs the task on a worker, at once if one is free or may start, else once one is. Never throws. */
    void execute(Runnable task) {
        if (stopped) {
            // Work that outlives the stop (a device answering late frees its line's next command): a
            // thread of its own, since the workers are gone.
            start(task, false);
            return;
        }
        queue.add(task);
        // More tasks waiting than idle workers: a worker just started counts as idle until it takes the
        // task it was started for, so "none idle" alone let a burst of six run on one of three workers.
        if (queue.size() > idle.get()) {
            startWithinLimit();
        }
    }

    private void startWithinLimit() {
        int n;
        do {
            n = threads.get();
            if (n >= limit) {
                return; // every worker is at a device: the task waits for the first one free
            }
        } while (!threads.compareAndSet(n, n + 1));
        start(null, true);
    }

    private void start(Runnable first, boolean counted) {
        Thread t = new Thread(() -> work(first, counted), "prhelper-device-" + number.incrementAndGet());
        t.setDaemon(true);
        try {
            t.start();
        } catch (OutOfMemoryError e) {
            if (counted) {
                threads.decrementAndGet();
            }
            LOG.error("Cannot start a thread for device commands; {} are running", threads.get(), e);
            if (first != null) {
                first.run();
            }
        }
    }

    private void work(Runnable first, boolean counted) {
        if (first != null) {
            run(first);
        }
        if (!counted) {
            return;
        }
        while (true) {
            Runnable task;
            idle.incrementAndGet();
            try {
                task = threads.get() > limit ? queue.poll() : queue.take();
            } catch (InterruptedException e) {
                task = null;
            } finally {
                idle.decrementAndGet();
            }
            if (task == STOP) {
                threads.decrementAndGet();
                return;
            }
            if (task != null) {
                run(task);
                continue;
            }
            threads.decrementAndGet();
            // A task queued while this thread, over the limit, still counted as idle would wait for the
            // next one: take its place again.
            if (queue.isEmpty() || stopped) {
                return;
            }
            int n = threads.get();
            if (n >= limit || !threads.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // The task answers its own failures; this only keeps the thread for the next device.
            LOG.error("A device command failed outside its request", e);
        }
    }

    /**
     * Ends as many workers as stood idle at every look for the keep-alive time: they were not needed
     * meanwhile. By one thread, every few milliseconds; {@code now} is its {@link System#nanoTime()}.
     */
    void reap(long now) {
        if (fewestIdle == Integer.MAX_VALUE) {
            since = now;
        }
        fewestIdle = Math.min(fewestIdle, idle.get());
        if (now - since < keepAliveNanos) {
            return;
        }
        for (int i = fewestIdle; i > 0 && !stopped; i--) {
            queue.add(STOP); // taken by an idle worker, behind any work queued meanwhile
        }
        fewestIdle = Integer.MAX_VALUE;
    }

    /** Work queued so far is still done; idle workers end, busy ones after their command. */
    void stop() {
        stopped = true;
        for (int i = threads.get(); i > 0; i--) {
            queue.add(STOP);
        }
    }
}
