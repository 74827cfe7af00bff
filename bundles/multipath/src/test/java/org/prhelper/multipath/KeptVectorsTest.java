package org.prhelper.multipath;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class KeptVectorsTest {
    private static final String RUNNING = "sdb=running sdc=running ";
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final KeptVectors kept = new KeptVectors(10, now::get);

    @Test
    public void builtOnceThenKeptWhileThePathsStayAsTheLibraryReadThem() {
        assertTrue("nothing built yet", kept.stale("253:0", RUNNING));
        kept.rebuilt();
        assertFalse(kept.stale("253:0", RUNNING));
        kept.used("253:0", RUNNING);
        now.addAndGet(9_000_000_000L);
        assertFalse(kept.stale("253:0", RUNNING));
        assertFalse("another map: its paths are read at its first call", kept.stale("253:1", "sdd=running "));
    }

    @Test
    public void aPathThatChangedOrTheAgeBuildsThemAgain() {
        kept.rebuilt();
        kept.used("253:0", RUNNING);
        assertTrue("a path offline", kept.stale("253:0", "sdb=offline sdc=running "));
        assertTrue("a path gone", kept.stale("253:0", "sdc=running "));
        now.addAndGet(10_000_000_001L);
        assertTrue("older than the maximum", kept.stale("253:0", RUNNING));
        kept.rebuilt();
        assertFalse(kept.stale("253:0", "sdb=offline sdc=running "));
    }

    @Test
    public void theFirstCallAfterABuildFixesThePaths() {
        kept.rebuilt();
        kept.used("253:0", "sdb=offline sdc=running ");
        kept.used("253:0", RUNNING);
        assertTrue(kept.stale("253:0", RUNNING));
    }

    @Test
    public void aDiscardedViewIsBuiltAgainAndZeroKeepsNothing() {
        kept.rebuilt();
        kept.discard();
        assertTrue(kept.stale("253:0", RUNNING));
        assertFalse(new KeptVectors(0, now::get).enabled());
        assertTrue(kept.enabled());
    }
}
