package org.prhelper.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in microseconds counted in fixed log-scale buckets: exact below 4 us, then four buckets per
 * power of two, so a percentile is reported as its bucket's upper bound, at most 25% above the truth,
 * in constant memory and without a lock. The maximum is kept exactly.
 */
final class LatencyHistogram {
    /** Four buckets for 0..3 us, then four for each power of two up to Long.MAX_VALUE. */
    static final int BUCKETS = 4 * 62;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    void record(long micros) {
        long v = Math.max(0, micros);
        counts.incrementAndGet(bucket(v));
        total.incrementAndGet();
        max.accumulateAndGet(v, Math::max);
    }

    static int bucket(long micros) {
        if (micros < 4) {
            return (int) micros;
        }
        int msb = 63 - Long.numberOfLeadingZeros(micros);
        // The two bits below the highest one pick the quarter of [2^msb, 2^(msb+1)).
        int quarter = (int) (micros >>> (msb - 2)) - 4;
        return 4 * (msb - 1) + quarter;
    }

    /** The largest value that falls into {@code bucket}. */
    static long upperBound(int bucket) {
        if (bucket < 4) {
            return bucket;
        }
        int msb = bucket / 4 + 1;
        int quarter = bucket % 4;
        long next = (long) (4 + quarter + 1) << (msb - 2);
        // The last bucket's bound would overflow.
        return next <= 0 ? Long.MAX_VALUE : next - 1;
    }

    /**
     * The upper bound of the bucket holding the value at rank ceil(p * count), never above the maximum;
     * 0 without values. Counts read while requests are recorded may be a request apart: fine for metrics.
     */
    long percentile(double p) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperBound(i), max());
            }
        }
        return max();
    }

    long max() {
        return max.get();
    }
}
