package org.prhelper.audit;

import org.junit.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.prhelper.api.AuditRecord;

/**
 * Prints the rough cost of this bundle's own work in {@code record()} on the caller's thread.
 * Informative only: timings are not asserted. The audit file is left out: the caller only queues the
 * record, and the writer formats it on its own thread.
 */
public class AuditCostTest {
    private static final int WARMUP = 200_000;
    private static final int RUNS = 500_000;

    /** Drops every event, so that memory stays flat. */
    private static final class Discard implements EventAdmin {
        @Override
        public void postEvent(Event event) {
        }

        @Override
        public void sendEvent(Event event) {
        }
    }

    @Test
    public void printsTheCostOfRecord() {
        AuditRecord r = Records.register();
        AuditTrail ringOnly = new AuditTrail(AuditTrailTest.config(10000, false, false));
        print("ring insert", () -> ringOnly.record(r));
        print("line formatting", () -> AuditLine.format(r));
        AuditTrail withEvents = new AuditTrail(AuditTrailTest.config(10000, false, true));
        withEvents.bindEventAdmin(new Discard());
        print("ring insert + event built and posted", () -> withEvents.record(r));
    }

    private static void print(String what, Runnable step) {
        for (int i = 0; i < WARMUP; i++) {
            step.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < RUNS; i++) {
            step.run();
        }
        System.out.printf("record() cost, %s: %d ns%n", what, (System.nanoTime() - start) / RUNS);
    }
}
