package org.prhelper.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.concurrent.TimeUnit;

import org.junit.Test;

public class ExpiringCacheTest {
    private long now = 1_000_000_000L;

    private ExpiringCache<String, String> cache(int maxEntries, int seconds) {
        return new ExpiringCache<>(maxEntries, () -> now, seconds);
    }

    @Test
    public void hitWithinTheLifetimeThenMissAfterIt() {
        ExpiringCache<String, String> cache = cache(16, 10);
        cache.put("8:0", "first");
        now += TimeUnit.SECONDS.toNanos(10) - 1;
        assertEquals("still kept", "first", cache.get("8:0"));
        now += 1;
        assertNull("expired", cache.get("8:0"));
        cache.put("8:0", "second");
        assertEquals("second", cache.get("8:0"));
    }

    @Test
    public void zeroLifetimeKeepsNothing() {
        ExpiringCache<String, String> cache = cache(16, 0);
        cache.put("8:0", "first");
        assertNull(cache.get("8:0"));
        assertEquals(0, cache.size());
    }

    @Test
    public void turningTheCacheOffDropsEntries() {
        ExpiringCache<String, String> cache = cache(16, 10);
        cache.put("8:0", "first");
        assertEquals(1, cache.size());
        cache.lifetimeSeconds(0);
        assertEquals(0, cache.size());
    }

    @Test
    public void sizeIsBounded() {
        ExpiringCache<String, String> cache = cache(2, 10);
        cache.put("a", "1");
        cache.put("b", "2");
        now += TimeUnit.SECONDS.toNanos(10);
        cache.put("c", "3");
        assertEquals("expired entries evicted", 1, cache.size());
        cache.put("a", "1");
        cache.put("b", "2");
        assertEquals("full of live entries: cleared, then added", 1, cache.size());
        assertEquals("2", cache.get("b"));
        cache.put("b", "2 again");
        assertEquals("replacing a key evicts nothing", 1, cache.size());
    }
}
