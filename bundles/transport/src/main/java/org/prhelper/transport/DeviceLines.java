package org.prhelper.transport;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where device commands wait, one line per device: at most {@code perDevice} of a device's commands
 * are at the device at once, the rest wait in its line in arrival order, and {@link DeviceWorkers}
 * bounds them over all devices. So a LUN that hangs holds at most {@code perDevice} workers, and the
 * other LUNs keep the rest.
 *
 * <p>A command on a device that has answered within {@link #INLINE_NANOS} lately runs on the serving
 * thread that read it, outside the line's count: handing it to a worker would cost more than the
 * command (a local disk, a descriptor that is not a SCSI device). Once four in a row are slower, its
 * commands go to the workers.
 */
final class DeviceLines {
    /**
     * A device that answers within this runs its commands on the serving thread: a few times what a
     * hand-off to a worker costs (two thread wake-ups, about 30 us of CPU measured on /dev/null), and
     * a tenth of a SAN's round trip alone.
     */
    static final long INLINE_NANOS = 100_000;
    /** Lines kept for devices that have nothing in progress, beyond which idle ones are forgotten. */
    static final int MAX_IDLE_LINES = 1024;

    private final Map<Long, Line> lines = new ConcurrentHashMap<>();
    private final DeviceWorkers workers;
    private final long inlineNanos;
    private volatile int perDevice;

    DeviceLines(DeviceWorkers workers, int perDevice) {
        this(workers, perDevice, INLINE_NANOS);
    }

    /** With {@code inlineNanos} in place of {@link #INLINE_NANOS}: tests of one path or the other. */
    DeviceLines(DeviceWorkers workers, int perDevice, long inlineNanos) {
        this.workers = workers;
        this.perDevice = perDevice;
        this.inlineNanos = inlineNanos;
    }

    void perDevice(int perDevice) {
        this.perDevice = perDevice;
    }

    int perDevice() {
        return perDevice;
    }

    /** The line of a device, by a key that names it (see {@link Connection#deviceKey}). */
    Line line(long key) {
        Line line = lines.get(key);
        return line != null ? line : lines.computeIfAbsent(key, Line::new);
    }

    /** A device command and what follows its answer. */
    interface Command {
        /**
         * When the request was read ({@link System#nanoTime()}): where a command run on the thread that
         * read it starts its device time, which that thread need not read again.
         */
        long received();

        /**
         * The device call; returns {@link System#nanoTime()} at its answer. Its time decides whether the
         * device's next commands run inline.
         */
        long execute();

        /** After the device's answer (the reply), on the same thread. */
        void then();
    }

    /** Whether the device has lately answered faster than a hand-off to a worker costs. */
    boolean fast(Line line) {
        return line.slowRun < Line.SLOW_RUN;
    }

    /**
     * Runs the command on this thread if its device is fast and none of its commands holds a serving
     * thread, or if the caller may wait at the device ({@code mayWaitHere}: another thread serves
     * meanwhile) and the line has room; returns true after {@link Command#execute} (the caller then
     * replies). Else queues it for a worker, which also runs {@link Command#then}, and returns false.
     * A fast device's commands on serving threads are not counted in its line (no lock on the path of
     * the shortest commands): they are bounded by the serving threads and watched by their watchdog.
     */
    boolean runOrQueue(Line line, Command command, boolean mayWaitHere) {
        if (!mayWaitHere && fast(line) && line.held == 0) {
            execute(line, command, false, command.received());
            return true;
        }
        if (mayWaitHere && line.tryEnter(perDevice)) {
            execute(line, command, true, command.received());
            return true;
        }
        Runnable task = () -> {
            execute(line, command, true, System.nanoTime());
            command.then();
        };
        if (line.enterOrWait(perDevice, task)) {
            workers.execute(task);
        }
        return false;
    }

    /**
     * Runs the device call, timed from {@code start}; a counted command then lets the next command of
     * the line go (before the reply is written).
     */
    private void execute(Line line, Command command, boolean counted, long start) {
        boolean slow = true;
        try {
            slow = command.execute() - start >= inlineNanos;
        } finally {
            line.took(slow);
            if (counted) {
                Runnable next = line.leave();
                if (next != null) {
                    workers.execute(next);
                } else if (line.idle() && lines.size() > MAX_IDLE_LINES && lines.remove(line.key, line)) {
                    line.forgotten = true;
                }
            }
        }
    }

    /** One device's commands: how many are at the device, those waiting, and how fast it answers. */
    static final class Line {
        final long key;
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        private int running;
        /** Commands of this line that hold a serving thread too long: none runs inline meanwhile. */
        private volatile int held;
        /** How many of its last commands in a row were slow: from {@link #SLOW_RUN} on, the device is. */
        static final int SLOW_RUN = 4;
        /**
         * Slow commands in a row. A slow device is slow every time; a fast one is slow now and then
         * only when its thread was preempted or paused, which must not send its commands to the
         * workers: four slow ones in a row do. Written only when that changes something, so the
         * shortest commands, on every serving thread at once, only read it. A device starts as slow:
         * a SAN LUN's first command must not hold a serving thread, and a fast device earns the
         * serving thread with its first answer.
         */
        private volatile int slowRun = SLOW_RUN;
        /** Removed from the lines: whoever kept it must ask for the device's line again. */
        private volatile boolean forgotten;

        Line(long key) {
            this.key = key;
        }

        /** Room for a command on the caller's thread: within the limit, and none held there now. */
        synchronized boolean tryEnter(int limit) {
            if (running >= limit || held > 0) {
                return false;
            }
            running++;
            return true;
        }

        /** True if the task may go to a worker now; else it waits its turn in this line. */
        synchronized boolean enterOrWait(int limit, Runnable task) {
            if (running < limit) {
                running++;
                return true;
            }
            waiting.add(task);
            return false;
        }

        /** The next waiting task, which takes the leaving command's place; null if none waits. */
        synchronized Runnable leave() {
            Runnable next = waiting.poll();
            if (next == null) {
                running--;
            }
            return next;
        }

        boolean forgotten() {
            return forgotten;
        }

        synchronized boolean idle() {
            return running == 0 && waiting.isEmpty();
        }

        void took(boolean slow) {
            int run = slowRun;
            if (slow) {
                if (run < SLOW_RUN) {
                    slowRun = run + 1; // a lost update between threads only delays the change by one
                }
            } else if (run != 0) {
                slowRun = 0;
            }
        }

        /**
         * A command has held a serving thread long: the next ones go to the workers, at least until it
         * is {@link #unheld}, whatever faster commands answer meanwhile.
         */
        synchronized void held() {
            held++;
        }

        synchronized void unheld() {
            held--;
        }
    }
}
