package org.prhelper.dispatch;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

public class RequestGateTest {
    @Test
    public void closeWaitsForAdmittedRequests() throws Exception {
        RequestGate gate = new RequestGate();
        assertTrue(gate.enter());
        CountDownLatch closing = new CountDownLatch(1);
        Thread request = new Thread(() -> {
            try {
                closing.await();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.exit();
        });
        request.start();
        closing.countDown();
        long start = System.nanoTime();
        assertTrue(gate.close(10, TimeUnit.SECONDS));
        assertTrue("returned before the request finished", System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150));
        request.join();
    }

    @Test
    public void closeGivesUpAfterItsTimeout() {
        RequestGate gate = new RequestGate();
        assertTrue(gate.enter());
        assertFalse(gate.close(50, TimeUnit.MILLISECONDS));
    }

    @Test
    public void refusesRequestsOnceClosed() {
        RequestGate gate = new RequestGate();
        assertTrue(gate.close(1, TimeUnit.SECONDS));
        assertFalse(gate.enter());
    }
}
