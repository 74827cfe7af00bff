package org.prhelper.transport;

import org.prhelper.api.PrHandler;

/**
 * The dispatcher as a dynamic reference, with a bounded wait for it: at start-up a socket may accept
 * before the dispatcher is registered, and a dispatcher bundle may be restarting. Shared by every
 * component that serves sockets, so they wait alike.
 */
final class HandlerSlot {
    private final Object changed = new Object();
    private volatile PrHandler handler;

    void set(PrHandler h) {
        synchronized (changed) {
            handler = h;
            changed.notifyAll();
        }
    }

    void unset(PrHandler h) {
        synchronized (changed) {
            if (handler == h) {
                handler = null;
            }
        }
    }

    /** The dispatcher; waits up to {@code waitMillis} for one to be registered, null if none comes. */
    PrHandler await(long waitMillis) {
        PrHandler h = handler;
        if (h != null) {
            return h;
        }
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        synchronized (changed) {
            try {
                while ((h = handler) == null) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return null;
                    }
                    changed.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return h;
        }
    }
}
