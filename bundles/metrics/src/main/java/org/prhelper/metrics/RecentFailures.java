package org.prhelper.metrics;

/**
 * Requests and device failures (CHECK CONDITION not decided by the policy) of the last minute, in one
 * slot per second, for the health check.
 */
final class RecentFailures {
    static final int SECONDS = 60;

    private final long[] second = new long[SECONDS];
    private final long[] requests = new long[SECONDS];
    private final long[] failures = new long[SECONDS];

    synchronized void record(long epochSecond, boolean failed) {
        int slot = (int) Math.floorMod(epochSecond, SECONDS);
        if (second[slot] != epochSecond) {
            // The slot last held a second at least a minute older: start it afresh.
            second[slot] = epochSecond;
            requests[slot] = 0;
            failures[slot] = 0;
        }
        requests[slot]++;
        if (failed) {
            failures[slot]++;
        }
    }

    /** {requests, failures} of the {@value #SECONDS} seconds up to and including {@code nowSecond}. */
    synchronized long[] lastMinute(long nowSecond) {
        long[] sums = new long[2];
        for (int slot = 0; slot < SECONDS; slot++) {
            if (second[slot] > nowSecond - SECONDS && second[slot] <= nowSecond) {
                sums[0] += requests[slot];
                sums[1] += failures[slot];
            }
        }
        return sums;
    }
}
