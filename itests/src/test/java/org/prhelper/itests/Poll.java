package org.prhelper.itests;

import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Every wait of the integration tests, inside Karaf (Pax Exam's probe carries this class) and outside:
 * for a condition instead of a fixed time, returning as soon as it holds.
 */
public final class Poll {
    private static final long INTERVAL_MS = 20;

    /** A condition that may throw while the thing it looks at is not there yet. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    private Poll() {
    }

    /** True once {@code condition} holds, false if it still does not after {@code timeout}. */
    public static boolean until(Duration timeout, BooleanSupplier condition) {
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

    /** Returns once {@code check} holds; fails with {@code why}'s text if it still does not after {@code timeout}. */
    public static void await(Duration timeout, Check check, Callable<String> why) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() - deadline > 0) {
                fail(why.call());
            }
            Thread.sleep(INTERVAL_MS);
        }
    }

    /**
     * {@code attempt}'s result once it neither throws nor fails an assertion; after {@code timeout}, the
     * last attempt's exception or assertion failure.
     */
    public static <T> T retry(Duration timeout, Callable<T> attempt) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return attempt.call();
            } catch (InterruptedException e) {
                throw e; // the test is being stopped: no more attempts
            } catch (Exception | AssertionError e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            Thread.sleep(INTERVAL_MS);
        }
    }
}
