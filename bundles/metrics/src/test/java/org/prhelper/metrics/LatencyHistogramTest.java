package org.prhelper.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class LatencyHistogramTest {
    @Test
    public void bucketsAreExactBelowFourThenQuarterOctaves() {
        assertEquals(0, LatencyHistogram.bucket(0));
        assertEquals(3, LatencyHistogram.bucket(3));
        assertEquals(4, LatencyHistogram.bucket(4));
        assertEquals(7, LatencyHistogram.bucket(7));
        assertEquals(8, LatencyHistogram.bucket(8));
        assertEquals(8, LatencyHistogram.bucket(9));
        assertEquals(9, LatencyHistogram.bucket(10));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucket(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, LatencyHistogram.upperBound(LatencyHistogram.BUCKETS - 1));
    }

    /** Every value lies in its bucket, whose bound is at most 25% above it, and buckets do not overlap. */
    @Test
    public void eachValueIsWithinItsBucketsBound() {
        for (long v = 0; v < 100_000; v++) {
            int b = LatencyHistogram.bucket(v);
            long upper = LatencyHistogram.upperBound(b);
            assertTrue(v + " in bucket " + b + " up to " + upper, v <= upper && upper <= v + v / 4 + 1);
            assertTrue(v + " also fits the bucket below", b == 0 || LatencyHistogram.upperBound(b - 1) < v);
        }
    }

    @Test
    public void percentilesOfAKnownDistribution() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentile(0.5));
        // 98 fast requests of 100 us, one of 1000 us and one of 50000 us.
        for (int i = 0; i < 98; i++) {
            h.record(100);
        }
        h.record(1000);
        h.record(50_000);
        // 100 lies in 96..111: reported as the bucket's bound.
        assertEquals(111, h.percentile(0.50));
        // Rank 99 is the 1000 us request, in 896..1023.
        assertEquals(1023, h.percentile(0.99));
        // The bucket of 50000 ends at 57343: capped by the exact maximum.
        assertEquals(50_000, h.percentile(1.0));
        assertEquals(50_000, h.max());
    }

    @Test
    public void aSingleValueIsEveryPercentile() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(5);
        assertEquals(5, h.percentile(0.5));
        assertEquals(5, h.percentile(0.99));
        h.record(-3); // a clock step backwards counts as 0, not as a huge value
        assertEquals(0, h.percentile(0.5));
        assertEquals(5, h.max());
    }
}
