package org.prhelper.metrics;

import static org.junit.Assert.assertArrayEquals;

import org.junit.Test;

public class RecentFailuresTest {
    @Test
    public void countsTheLastSixtySecondsOnly() {
        RecentFailures r = new RecentFailures();
        r.record(1000, true);
        r.record(1000, false);
        r.record(1030, true);
        assertArrayEquals(new long[] {3, 2}, r.lastMinute(1030));
        assertArrayEquals(new long[] {3, 2}, r.lastMinute(1059));
        assertArrayEquals(new long[] {1, 1}, r.lastMinute(1060));
        // Second 1060 reuses 1000's slot: the old counts go.
        r.record(1060, false);
        assertArrayEquals(new long[] {2, 1}, r.lastMinute(1060));
        assertArrayEquals(new long[] {0, 0}, r.lastMinute(2000));
    }
}
