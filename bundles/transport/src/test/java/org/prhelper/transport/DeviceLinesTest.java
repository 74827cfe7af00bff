package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.After;
import org.junit.Test;

public class DeviceLinesTest {
    private final DeviceWorkers workers = new DeviceWorkers(3, 60_000);

    @After
    public void tearDown() {
        workers.stop();
    }

    /** A command from its device call and what follows its answer, as if each run had just been read. */
    private static DeviceLines.Command command(Runnable call, Runnable then) {
        return new DeviceLines.Command() {
            @Override
            public long received() {
                return System.nanoTime();
            }

            @Override
            public long execute() {
                call.run();
                return System.nanoTime();
            }

            @Override
            public void then() {
                then.run();
            }
        };
    }

    /** A command that waits for {@code release}, counting how many wait at once. */
    private static final class Blocking implements DeviceLines.Command {
        final CountDownLatch release;
        final AtomicInteger atOnce;
        final AtomicInteger most;
        final CountDownLatch answered;

        Blocking(CountDownLatch release, AtomicInteger atOnce, AtomicInteger most, CountDownLatch answered) {
            this.release = release;
            this.atOnce = atOnce;
            this.most = most;
            this.answered = answered;
        }

        @Override
        public long received() {
            return 0;
        }

        @Override
        public long execute() {
            most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            atOnce.decrementAndGet();
            return System.nanoTime();
        }

        @Override
        public void then() {
            answered.countDown();
        }
    }

    /**
     * Beyond {@link DeviceLines#MAX_IDLE_LINES}, an idle line is dropped after its command; it says so,
     * so that a connection that kept it (Connection.line) asks again rather than count in a line the
     * device no longer has, beside a new one.
     */
    @Test
    public void aLineDroppedFromTheLinesSaysSo() {
        DeviceLines lines = new DeviceLines(workers, 16, 0);
        for (long key = 1; key <= DeviceLines.MAX_IDLE_LINES; key++) {
            lines.line(key);
        }
        DeviceLines.Line kept = lines.line(0);
        assertFalse(kept.forgotten());
        DeviceLines.Command nothing = command(() -> { }, () -> { });
        assertTrue(lines.runOrQueue(kept, nothing, true));
        assertTrue(kept.forgotten());
        assertNotSame(kept, lines.line(0));
    }

    @Test
    public void noMoreCommandsAtDevicesThanTheWorkersLimit() throws Exception {
        DeviceLines lines = new DeviceLines(workers, 16, 0);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch answered = new CountDownLatch(6);
        for (int device = 0; device < 6; device++) {
            assertFalse(lines.runOrQueue(lines.line(device), new Blocking(release, atOnce, most, answered), false));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (atOnce.get() < 3 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        assertEquals(3, atOnce.get());
        assertEquals(3, workers.threads());
        release.countDown();
        assertTrue(answered.await(10, TimeUnit.SECONDS));
        assertEquals(3, most.get());
    }

    @Test
    public void oneDevicesCommandsWaitInLineInArrivalOrder() throws Exception {
        DeviceLines lines = new DeviceLines(workers, 1, 0);
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch answered = new CountDownLatch(20);
        DeviceLines.Line line = lines.line(7);
        for (int i = 0; i < 20; i++) {
            int n = i;
            lines.runOrQueue(line, command(() -> {
                order.add(n);
                LockSupport.parkNanos(1_000_000);
            }, answered::countDown), false);
        }
        assertTrue(answered.await(10, TimeUnit.SECONDS));
        assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), order);
        assertTrue("the line is empty again", line.idle());
    }

    @Test
    public void aFastDeviceRunsOnTheCallersThreadAndASlowOneOnAWorker() throws Exception {
        DeviceLines lines = new DeviceLines(workers, 16);
        DeviceLines.Line line = lines.line(1);
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        CountDownLatch answered = new CountDownLatch(1);
        DeviceLines.Command fast = command(() -> ranOn.add(Thread.currentThread()), answered::countDown);
        assertFalse("a device not yet seen answer goes to a worker", lines.runOrQueue(line, fast, false));
        assertTrue(answered.await(5, TimeUnit.SECONDS));
        assertTrue("then, having answered fast, it runs here", lines.runOrQueue(line, fast, false));
        assertEquals(Thread.currentThread(), ranOn.get(1));
        line.held();
        CountDownLatch again = new CountDownLatch(1);
        assertFalse("once it held a serving thread, a worker",
                lines.runOrQueue(line, command(() -> { }, again::countDown), false));
        assertTrue(again.await(5, TimeUnit.SECONDS));
        line.unheld();
    }

    @Test
    public void aSlowDevicesCommandRunsHereWhenTheCallerMayWait() {
        DeviceLines lines = new DeviceLines(workers, 1, 0);
        DeviceLines.Line line = lines.line(3);
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        DeviceLines.Command command = command(() -> ranOn.add(Thread.currentThread()), () -> { });
        assertFalse(lines.fast(line));
        assertTrue(lines.runOrQueue(line, command, true));
        assertEquals(List.of(Thread.currentThread()), ranOn);
        assertTrue("the line is free again", line.idle());
    }

    @Test
    public void idleWorkersEndAfterTheirKeepAlive() throws Exception {
        DeviceWorkers brief = new DeviceWorkers(4, 50);
        try {
            CountDownLatch ran = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                brief.execute(() -> {
                    LockSupport.parkNanos(20_000_000);
                    ran.countDown();
                });
            }
            assertTrue(ran.await(5, TimeUnit.SECONDS));
            assertEquals(4, brief.threads());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (brief.threads() > 0 && System.nanoTime() < until) {
                brief.reap(System.nanoTime()); // as the serving loops' watchdog does
                Thread.sleep(10);
            }
            assertEquals(0, brief.threads());
            CountDownLatch later = new CountDownLatch(1);
            brief.execute(later::countDown);
            assertTrue("a new thread starts for new work", later.await(5, TimeUnit.SECONDS));
        } finally {
            brief.stop();
        }
    }
}
