package org.prhelper.device;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.prhelper.api.DeviceIdentity.Kind;

/**
 * Sysfs lookups by device number, kept for a configurable lifetime: opening and reading sysfs files is
 * the slow part of identifying a descriptor, and every request of a VM is for the same few devices. The
 * lifetime bounds how long a stale answer survives when a number is reused for another logical unit
 * (a disk removed and another added). The size is bounded too; when it is full, expired entries go and,
 * if that is not enough, all of them (rare: it takes more live devices than entries).
 */
final class SysfsCache {
    private record Entry(Sysfs.Ids ids, long loadedAt) {
    }

    private final Sysfs sysfs;
    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private volatile long lifetimeNanos;

    SysfsCache(Sysfs sysfs, int maxEntries, LongSupplier nanoClock, int lifetimeSeconds) {
        this.sysfs = sysfs;
        this.maxEntries = maxEntries;
        this.nanoClock = nanoClock;
        lifetimeSeconds(lifetimeSeconds);
    }

    /** 0 turns the cache off. */
    void lifetimeSeconds(int seconds) {
        lifetimeNanos = TimeUnit.SECONDS.toNanos(seconds);
        if (seconds == 0) {
            entries.clear();
        }
    }

    Sysfs.Ids lookup(Kind kind, int major, int minor) {
        long lifetime = lifetimeNanos;
        if (lifetime == 0) {
            return sysfs.lookup(kind, major, minor);
        }
        Long key = key(kind, major, minor);
        long now = nanoClock.getAsLong();
        Entry cached = entries.get(key);
        if (cached != null && now - cached.loadedAt < lifetime) {
            return cached.ids;
        }
        Sysfs.Ids ids = sysfs.lookup(kind, major, minor);
        if (cached == null && entries.size() >= maxEntries) {
            entries.values().removeIf(e -> now - e.loadedAt >= lifetime);
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(key, new Entry(ids, now));
        return ids;
    }

    int size() {
        return entries.size();
    }

    /** Block and character devices have separate number spaces; Linux majors fit in 12 bits. */
    private static long key(Kind kind, int major, int minor) {
        long numbers = ((long) major << 32) | (minor & 0xFFFFFFFFL);
        return kind == Kind.CHARACTER ? numbers | Long.MIN_VALUE : numbers;
    }
}
