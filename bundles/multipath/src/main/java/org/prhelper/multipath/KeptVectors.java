package org.prhelper.multipath;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * When libmpathpersist's kept vectors (its list of maps, and each map's paths as read at the map's
 * first call after they were built) must be built again: when they are older than the configured
 * time, when a map's paths in sysfs (which ones, and each one's SCSI state) are no longer what they
 * were at that map's first call, and after a call that failed otherwise than the device refusing it.
 * Called under the backend's lock.
 */
final class KeptVectors {
    private final LongSupplier nanoClock;
    private final long maxAgeNanos;
    private boolean built;
    private long builtAt;
    /** Per map (major:minor), its paths as they were when the library read them. */
    private final Map<String, String> pathsAtFirstCall = new HashMap<>();

    KeptVectors(int maxAgeSeconds, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.maxAgeNanos = maxAgeSeconds * 1_000_000_000L;
    }

    /** False for a maximum age of 0: every call discovers everything, as mpathpersist does. */
    boolean enabled() {
        return maxAgeNanos > 0;
    }

    /** Whether to build them again before a call on {@code map}, whose paths look like {@code paths} now. */
    boolean stale(String map, String paths) {
        if (!built || nanoClock.getAsLong() - builtAt > maxAgeNanos) {
            return true;
        }
        String before = pathsAtFirstCall.get(map);
        return before != null && !before.equals(paths);
    }

    void rebuilt() {
        built = true;
        builtAt = nanoClock.getAsLong();
        pathsAtFirstCall.clear();
    }

    /** A call on {@code map} went through; the first since the build fixes the paths the library read. */
    void used(String map, String paths) {
        pathsAtFirstCall.putIfAbsent(map, paths);
    }

    /** The library's view may be wrong (a path gone, a map it does not know): build them again next time. */
    void discard() {
        built = false;
    }
}
