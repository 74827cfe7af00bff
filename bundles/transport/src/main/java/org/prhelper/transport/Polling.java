package org.prhelper.transport;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for a condition that nobody signals (threads ending, connections closing) by looking again. */
final class Polling {
    private Polling() {
    }

    /**
     * Looks at {@code done} every {@code periodMillis} until it holds or {@code millis} have passed, or
     * the thread is interrupted (the interrupt stays set); returns whether it holds.
     */
    static boolean until(BooleanSupplier done, long millis, long periodMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return done.getAsBoolean();
    }
}
