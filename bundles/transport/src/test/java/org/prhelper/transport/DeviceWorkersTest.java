package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

public class DeviceWorkersTest {
    /**
     * A burst of tasks that all wait gets as many workers as the limit allows, every time. A worker that
     * has just started counts as idle until it takes the task it was started for: tasks queued in that
     * moment once started no thread, and a burst of six ran on two of three workers.
     */
    @Test
    public void aBurstGetsEveryWorkerTheLimitAllows() throws Exception {
        for (int round = 0; round < 300; round++) {
            DeviceWorkers workers = new DeviceWorkers(3, 60_000);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger atOnce = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(6);
            try {
                for (int i = 0; i < 6; i++) {
                    workers.execute(() -> {
                        atOnce.incrementAndGet();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        atOnce.decrementAndGet();
                        done.countDown();
                    });
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (atOnce.get() < 3 && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertEquals("tasks at once in round " + round, 3, atOnce.get());
                assertEquals("workers in round " + round, 3, workers.threads());
            } finally {
                release.countDown();
                assertTrue(done.await(10, TimeUnit.SECONDS));
                workers.stop();
            }
        }
    }
}
