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
                        await(release);
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

    /**
     * The watchdog's look every few milliseconds ends only the workers that stood idle at every look for
     * the keep-alive time; one at a device meanwhile stays.
     */
    @Test
    public void reapingEndsOnlyWorkersIdleAtEveryLook() throws Exception {
        DeviceWorkers workers = new DeviceWorkers(4, 50);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        try {
            workers.execute(() -> {
                started.countDown();
                await(release);
            });
            workers.execute(started::countDown);
            assertTrue(started.await(5, TimeUnit.SECONDS));
            Thread.sleep(50); // the second worker is back waiting for work
            assertEquals(2, workers.threads());
            long now = System.nanoTime();
            workers.reap(now);
            workers.reap(now + TimeUnit.MILLISECONDS.toNanos(25));
            Thread.sleep(50);
            assertEquals("within the keep-alive time, none ends", 2, workers.threads());
            workers.reap(now + TimeUnit.MILLISECONDS.toNanos(50));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (workers.threads() > 1 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertEquals("the busy worker stays", 1, workers.threads());
            CountDownLatch later = new CountDownLatch(1);
            workers.execute(later::countDown);
            assertTrue("new work still finds a worker", later.await(5, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            workers.stop();
        }
    }

    private static void await(CountDownLatch release) {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
