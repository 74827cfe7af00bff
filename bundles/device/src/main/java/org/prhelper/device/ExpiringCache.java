package org.prhelper.device;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Values kept for a configurable lifetime, bounded in number: the lifetime bounds how long a stale
 * answer survives (a device number or an inode reused for another logical unit). When the cache is
 * full, expired entries go and, if that is not enough, all of them (rare: it takes more live devices
 * than entries). Thread-safe; two threads that miss at once both load, and the later one is kept.
 */
final class ExpiringCache<K, V> {
    private record Entry<V>(V value, long loadedAt) {
    }

    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private volatile long lifetimeNanos;

    ExpiringCache(int maxEntries, LongSupplier nanoClock, int lifetimeSeconds) {
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

    /** The value kept for {@code key} if it is still within its lifetime, else null. */
    V get(K key) {
        Entry<V> cached = entries.get(key);
        return cached != null && nanoClock.getAsLong() - cached.loadedAt < lifetimeNanos ? cached.value : null;
    }

    /** Keeps {@code value} from now on (nothing while the cache is off). */
    void put(K key, V value) {
        long lifetime = lifetimeNanos;
        if (lifetime == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            entries.values().removeIf(e -> now - e.loadedAt >= lifetime);
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(key, new Entry<>(value, now));
    }

    int size() {
        return entries.size();
    }
}
