package org.prhelper.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.prhelper.policy.Fixtures.QEMU;
import static org.prhelper.policy.Fixtures.SDA;
import static org.prhelper.policy.Fixtures.SDC;
import static org.prhelper.policy.Fixtures.config;
import static org.prhelper.policy.Fixtures.in;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.prhelper.api.PrRequest;
import org.prhelper.api.ScsiStatus;

public class RateLimitTest {
    private static final long SECOND = 1_000_000_000L;
    private long now = 123 * SECOND;

    private SocketPolicy policy(Object... keysAndValues) {
        Map<String, Object> c = config(keysAndValues);
        return SocketPolicy.parse(c, Accounts.system(), () -> now);
    }

    private static boolean allowed(SocketPolicy policy) {
        return policy.check(QEMU, SDA, in(0)).allowed();
    }

    @Test
    public void burstThenRate() {
        SocketPolicy policy = policy("rateLimit", "2");
        assertTrue(allowed(policy));
        assertTrue(allowed(policy));
        Decision over = policy.check(QEMU, SDA, in(0));
        assertEquals("over rateLimit", over.rule());
        assertEquals(ScsiStatus.BUSY, over.status());
        assertNull(over.sense());
        now += SECOND / 2;
        assertTrue("one token back after 1/rate", allowed(policy));
        assertFalse(allowed(policy));
        now += 10 * SECOND;
        assertTrue(allowed(policy));
        assertTrue(allowed(policy));
        assertFalse("the bucket holds no more than the burst", allowed(policy));
    }

    @Test
    public void fractionalRate() {
        SocketPolicy policy = policy("rateLimit", "0.5");
        assertTrue(allowed(policy));
        assertFalse(allowed(policy));
        now += 2 * SECOND - 1;
        assertFalse(allowed(policy));
        now += 1;
        assertTrue(allowed(policy));
    }

    @Test
    public void explicitBurst() {
        SocketPolicy policy = policy("rateLimit", 1, "rateBurst", 5);
        for (int i = 0; i < 5; i++) {
            assertTrue("request " + i, allowed(policy));
        }
        assertFalse(allowed(policy));
    }

    @Test
    public void refusedRequestsTakeNoToken() {
        SocketPolicy policy = policy("rateLimit", 1, "allow.devices.path", "/dev/sda");
        for (int i = 0; i < 10; i++) {
            assertFalse(policy.check(QEMU, SDC, in(0)).allowed());
        }
        assertTrue(allowed(policy));
    }

    @Test
    public void eachPolicyHasItsOwnBucket() {
        assertTrue(allowed(policy("rateLimit", 1)));
        assertTrue(allowed(policy("rateLimit", 1)));
    }

    @Test
    public void concurrentConnectionsShareTheBucketExactly() throws InterruptedException {
        SocketPolicy policy = policy("rateLimit", 1, "rateBurst", 1000);
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                PrRequest request = in(0);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 500; i++) {
                    if (policy.check(QEMU, SDA, request).allowed()) {
                        granted.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1000, granted.get());
    }
}
