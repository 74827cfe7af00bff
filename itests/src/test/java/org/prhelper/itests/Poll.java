package org.prhelper.itests.blackbox;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition instead of sleeping a fixed time: returns as soon as it holds. */
final class Poll {
    private static final long INTERVAL_MS = 20;

    private Poll() {
    }

    /** True once {@code condition} holds, false if it still does not after {@code timeout}. */
    static boolean until(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
