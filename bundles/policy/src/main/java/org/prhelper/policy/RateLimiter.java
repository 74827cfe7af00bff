package org.prhelper.policy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket of {@code burst} tokens refilled at {@code perSecond}, kept as its equivalent "theoretical
 * arrival time" (GCRA): one atomic long, updated by compare-and-set, so concurrent connections take tokens
 * without a lock and without allocating. A fresh bucket is full.
 */
final class RateLimiter {
    private final int burst;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final LongSupplier nanoClock;
    /** When the bucket will be full again if no request comes; at or before now means full. */
    private final AtomicLong fullAt;

    RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        this.burst = burst;
        this.intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
        this.toleranceNanos = (burst - 1) * intervalNanos;
        this.nanoClock = nanoClock;
        this.fullAt = new AtomicLong(nanoClock.getAsLong());
    }

    /** Requests allowed at once above the rate. */
    int burst() {
        return burst;
    }

    /** Takes a token; false when the bucket is empty. */
    boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        while (true) {
            long current = fullAt.get();
            long from = current - now > 0 ? current : now;
            if (from - now > toleranceNanos) {
                return false;
            }
            if (fullAt.compareAndSet(current, from + intervalNanos)) {
                return true;
            }
        }
    }
}
