package org.prhelper.metrics;

import static org.junit.Assert.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;

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

    @Test
    public void losesNoCountUnderConcurrentRecording() throws InterruptedException {
        RecentFailures r = new RecentFailures();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                // Two seconds in turn, the failures all in the first.
                for (int i = 0; i < 100_000; i++) {
                    r.record(5000 + (i & 1), (i & 3) == 0);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertArrayEquals(new long[] {400_000, 100_000}, r.lastMinute(5001));
        r.record(5060, true);
        assertArrayEquals(new long[] {200_001, 1}, r.lastMinute(5060));
    }
}
