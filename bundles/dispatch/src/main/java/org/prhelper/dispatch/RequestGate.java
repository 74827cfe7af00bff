package org.prhelper.dispatch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests one backend is executing, so its removal can wait for them: a backend's service
 * is unregistered (and the dispatcher told) before its component is deactivated, so a request must
 * not outlive the component that runs it, and none may be refused because of a swap.
 */
final class RequestGate {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();
    private volatile boolean closed;

    /** Admits one request unless the gate is closed; a {@code true} must be paired with {@link #exit()}. */
    boolean enter() {
        inFlight.incrementAndGet();
        // Checked after counting: close() sets the flag before it reads the count, so one of the two
        // always sees the other.
        if (closed) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && closed) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /**
     * Refuses new requests and waits up to {@code timeout} for those admitted to finish.
     *
     * @return whether all finished in time
     */
    boolean close(long timeout, TimeUnit unit) {
        closed = true;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (drained) {
            while (inFlight.get() > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    int inFlight() {
        return inFlight.get();
    }
}
