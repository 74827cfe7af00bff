package org.prhelper.device;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.prhelper.api.DeviceIdentity.Kind;

public class SysfsCacheTest {
    private static final String NEW_WWID = "naa.6001405ab00000000000000000000ff";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private FakeSysfs tree;
    private long now = 1_000_000_000L;

    @Before
    public void tree() throws IOException {
        tree = new FakeSysfs(tmp.getRoot().toPath());
    }

    private SysfsCache cache(int maxEntries, int seconds) {
        return new SysfsCache(new Sysfs(tree.root), maxEntries, () -> now, seconds);
    }

    @Test
    public void hitWithinTheLifetimeThenReloadAfterIt() throws IOException {
        SysfsCache cache = cache(16, 10);
        assertEquals(FakeSysfs.SD_WWID, cache.lookup(Kind.BLOCK, 8, 0).wwid());
        tree.write("dev/block/8:0/device/wwid", NEW_WWID + "\n");
        now += TimeUnit.SECONDS.toNanos(10) - 1;
        assertEquals("still cached", FakeSysfs.SD_WWID, cache.lookup(Kind.BLOCK, 8, 0).wwid());
        now += 1;
        assertEquals("expired", NEW_WWID, cache.lookup(Kind.BLOCK, 8, 0).wwid());
    }

    @Test
    public void zeroLifetimeReadsEveryTimeAndKeepsNothing() throws IOException {
        SysfsCache cache = cache(16, 0);
        assertEquals(FakeSysfs.SD_WWID, cache.lookup(Kind.BLOCK, 8, 0).wwid());
        tree.write("dev/block/8:0/device/wwid", NEW_WWID + "\n");
        assertEquals(NEW_WWID, cache.lookup(Kind.BLOCK, 8, 0).wwid());
        assertEquals(0, cache.size());
    }

    @Test
    public void turningTheCacheOffDropsEntries() {
        SysfsCache cache = cache(16, 10);
        cache.lookup(Kind.BLOCK, 8, 0);
        assertEquals(1, cache.size());
        cache.lifetimeSeconds(0);
        assertEquals(0, cache.size());
    }

    @Test
    public void blockAndCharacterEntriesAreSeparate() {
        SysfsCache cache = cache(16, 10);
        assertEquals(FakeSysfs.SG_WWID, cache.lookup(Kind.CHARACTER, 21, 0).wwid());
        assertEquals(Sysfs.Ids.NONE, cache.lookup(Kind.BLOCK, 21, 0));
        assertEquals(2, cache.size());
    }

    @Test
    public void sizeIsBounded() {
        SysfsCache cache = cache(2, 10);
        cache.lookup(Kind.BLOCK, 8, 0);
        cache.lookup(Kind.BLOCK, 253, 0);
        now += TimeUnit.SECONDS.toNanos(10);
        cache.lookup(Kind.CHARACTER, 21, 0);
        assertEquals("expired entries evicted", 1, cache.size());
        cache.lookup(Kind.BLOCK, 8, 0);
        cache.lookup(Kind.BLOCK, 253, 0);
        assertEquals("full of live entries: cleared, then added", 1, cache.size());
        assertEquals(FakeSysfs.MPATH_UUID, cache.lookup(Kind.BLOCK, 253, 0).dmUuid());
    }
}
