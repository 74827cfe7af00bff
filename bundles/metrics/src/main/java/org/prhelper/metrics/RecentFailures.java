package org.prhelper.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Requests and device failures (CHECK CONDITION not decided by the policy) of the last minute, in one
 * slot per second, for the health check.
 *
 * <p>Every request passes here, so it takes no lock: a lock holder preempted among hundreds of
 * connection threads stalls all of them. Each slot is one long, the epoch second in the high half
 * (it fits until 2106) and the count in the low half, so one compare-and-set both starts a new
 * second and counts in it.
 */
final class RecentFailures {
    static final int SECONDS = 60;

    private final AtomicLongArray requests = new AtomicLongArray(SECONDS);
    private final AtomicLongArray failures = new AtomicLongArray(SECONDS);

    void record(long epochSecond, boolean failed) {
        int slot = (int) Math.floorMod(epochSecond, SECONDS);
        count(requests, slot, epochSecond);
        if (failed) {
            count(failures, slot, epochSecond);
        }
    }

    private static void count(AtomicLongArray slots, int slot, long epochSecond) {
        long tag = epochSecond << 32;
        long old;
        long next;
        do {
            old = slots.get(slot);
            // The slot last held a second at least a minute older: start it afresh.
            next = (old & ~0xFFFF_FFFFL) == tag ? old + 1 : tag | 1;
        } while (!slots.compareAndSet(slot, old, next));
    }

    /** {requests, failures} of the {@value #SECONDS} seconds up to and including {@code nowSecond}. */
    long[] lastMinute(long nowSecond) {
        return new long[] {sum(requests, nowSecond), sum(failures, nowSecond)};
    }

    private static long sum(AtomicLongArray slots, long nowSecond) {
        long sum = 0;
        for (int slot = 0; slot < SECONDS; slot++) {
            long v = slots.get(slot);
            long second = v >>> 32;
            if (second > nowSecond - SECONDS && second <= nowSecond) {
                sum += v & 0xFFFF_FFFFL;
            }
        }
        return sum;
    }
}
