package org.prhelper.transport;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

public class WallClockTest {
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final AtomicReference<Instant> wall = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
    private final AtomicInteger wallReads = new AtomicInteger();
    private final WallClock clock = new WallClock(nanos::get, () -> {
        wallReads.incrementAndGet();
        return wall.get();
    });

    @Test
    public void aReadingBecomesWallTimeWithoutReadingTheWallClock() {
        assertEquals(Instant.parse("2026-12-07T10:00:00.250Z"), clock.at(5_250_000_000L));
        assertEquals("a reading from before the base", Instant.parse("2026-12-07T09:59:59.900Z"),
                clock.at(4_900_000_000L));
        assertEquals(1, wallReads.get());
    }

    @Test
    public void aStepOfTheWallClockShowsWithinASecond() {
        wall.set(Instant.parse("2026-12-07T11:00:00Z")); // set an hour ahead
        nanos.set(5_000_000_000L + WallClock.REBASE_NANOS);
        assertEquals(Instant.parse("2026-12-07T11:00:00Z"), clock.at(nanos.get()));
        assertEquals(2, wallReads.get());
        assertEquals(Instant.parse("2026-12-07T11:00:00.5Z"), clock.at(nanos.get() + 500_000_000L));
        assertEquals(2, wallReads.get());
    }
}
