package org.prhelper.transport;

import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The wall-clock time of a {@link System#nanoTime()} reading, so that a request reads the clock once
 * for its duration and its record's time. Where the clock has no vDSO (an emulated or paravirtual
 * guest without a stable TSC) every read is a system call; a request read it about ten times. The
 * offset between the two clocks is read again once a second: a step of the wall clock shows within a
 * second, and a slewing one is off by well under a millisecond.
 */
final class WallClock {
    static final long REBASE_NANOS = 1_000_000_000L;

    private record Base(long nanos, Instant wall) {
    }

    private final LongSupplier nanoClock;
    private final Supplier<Instant> wallClock;
    private volatile Base base;

    WallClock() {
        this(System::nanoTime, Instant::now);
    }

    WallClock(LongSupplier nanoClock, Supplier<Instant> wallClock) {
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.base = rebase();
    }

    /** The wall-clock time at which {@code nanoTime} (of the nano clock) was read. */
    Instant at(long nanoTime) {
        Base b = base;
        if (nanoTime - b.nanos >= REBASE_NANOS) {
            b = rebase();
            base = b; // racing threads each write a fresh base: any of them is right
        }
        return b.wall.plusNanos(nanoTime - b.nanos);
    }

    private Base rebase() {
        Instant wall = wallClock.get();
        return new Base(nanoClock.getAsLong(), wall);
    }
}
