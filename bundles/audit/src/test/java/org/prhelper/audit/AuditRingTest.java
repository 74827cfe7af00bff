package org.prhelper.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;
import org.prhelper.api.AuditRecord;

public class AuditRingTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 50_000;

    private static List<Long> ids(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::latencyNanos).toList();
    }

    @Test
    public void keepsTheLastCapacityRecordsOldestFirst() {
        AuditRing ring = new AuditRing(3);
        assertEquals(List.of(), ring.recent(10));
        ring.add(Records.readKeys(1));
        ring.add(Records.readKeys(2));
        assertEquals(List.of(1L, 2L), ids(ring.recent(10)));
        ring.add(Records.readKeys(3));
        ring.add(Records.readKeys(4));
        ring.add(Records.readKeys(5));
        assertEquals(List.of(3L, 4L, 5L), ids(ring.recent(10)));
        assertEquals(List.of(4L, 5L), ids(ring.recent(2)));
        assertEquals(List.of(), ring.recent(0));
        assertEquals(List.of(), ring.recent(-1));
    }

    @Test
    public void recentIsACopy() {
        AuditRing ring = new AuditRing(4);
        ring.add(Records.readKeys(1));
        List<AuditRecord> first = ring.recent(4);
        first.clear();
        assertEquals(List.of(1L), ids(ring.recent(4)));
        assertNotSame(ring.recent(4), ring.recent(4));
    }

    @Test
    public void zeroCapacityKeepsNothing() {
        AuditRing ring = new AuditRing(0);
        ring.add(Records.readKeys(1));
        assertEquals(List.of(), ring.recent(10));
    }

    @Test
    public void concurrentWritersLoseNothingWhenItFits() throws Exception {
        AuditRing ring = new AuditRing(THREADS * PER_THREAD);
        write(ring, null);
        List<AuditRecord> all = ring.recent(Integer.MAX_VALUE);
        assertEquals(THREADS * PER_THREAD, all.size());
        assertEquals(THREADS * PER_THREAD, new HashSet<>(ids(all)).size());
        assertEachThreadInOrder(all);
    }

    @Test
    public void concurrentWritersOverflowingKeepExactlyCapacity() throws Exception {
        AuditRing ring = new AuditRing(1000);
        AtomicReference<String> readerProblem = new AtomicReference<>();
        write(ring, readerProblem);
        List<AuditRecord> last = ring.recent(5000);
        assertEquals(1000, last.size());
        assertEquals(1000, new HashSet<>(ids(last)).size());
        assertEachThreadInOrder(last);
        assertNull(readerProblem.get());
    }

    /** Writes from several threads at once; with {@code readerProblem}, reads while they write. */
    private static void write(AuditRing ring, AtomicReference<String> readerProblem) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        Thread[] writers = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            long base = (long) t * PER_THREAD * 10;
            writers[t] = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < PER_THREAD; i++) {
                    ring.add(Records.readKeys(base + i));
                }
            });
            writers[t].start();
        }
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            while (readerProblem != null && !done.get()) {
                List<AuditRecord> seen = ring.recent(100);
                if (seen.size() > 100 || seen.contains(null)) {
                    readerProblem.compareAndSet(null, "read " + seen.size() + " records: " + seen);
                }
            }
        });
        reader.start();
        start.countDown();
        for (Thread w : writers) {
            w.join();
        }
        done.set(true);
        reader.join();
    }

    /** Records of one thread keep the order that thread added them in. */
    private static void assertEachThreadInOrder(List<AuditRecord> records) {
        long[] last = new long[THREADS];
        Arrays.fill(last, -1);
        for (AuditRecord r : records) {
            int t = (int) (r.latencyNanos() / (PER_THREAD * 10L));
            assertTrue("thread " + t + " out of order at " + r.latencyNanos(), r.latencyNanos() > last[t]);
            last[t] = r.latencyNanos();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
