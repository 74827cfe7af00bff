package org.prhelper.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.IOException;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.prhelper.api.DeviceIdentity.Kind;

public class SysfsTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private Sysfs sysfs;

    @Before
    public void tree() throws IOException {
        sysfs = new Sysfs(new FakeSysfs(tmp.getRoot().toPath()).root);
    }

    @Test
    public void scsiDiskHasItsWwid() {
        assertEquals(new Sysfs.Ids(FakeSysfs.SD_WWID, null), sysfs.lookup(Kind.BLOCK, 8, 0));
    }

    @Test
    public void multipathMapHasItsUuid() {
        assertEquals(new Sysfs.Ids(null, FakeSysfs.MPATH_UUID), sysfs.lookup(Kind.BLOCK, 253, 0));
    }

    @Test
    public void mapWithoutUuidHasNone() {
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.BLOCK, 253, 1));
    }

    @Test
    public void scsiGenericDeviceHasItsWwid() {
        assertEquals(new Sysfs.Ids(FakeSysfs.SG_WWID, null), sysfs.lookup(Kind.CHARACTER, 21, 0));
    }

    @Test
    public void blockAndCharacterNumbersAreSeparate() {
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.CHARACTER, 8, 0));
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.BLOCK, 21, 0));
    }

    @Test
    public void missingFilesGiveNothing() {
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.BLOCK, 7, 0));
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.CHARACTER, 1, 3));
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.BLOCK, 65, 32));
        assertEquals(Sysfs.Ids.NONE, sysfs.lookup(Kind.OTHER, 8, 0));
    }

    @Test
    public void attributeIsStrippedOfItsNewline() throws IOException {
        new FakeSysfs(tmp.getRoot().toPath()).write("dev/block/8:16/device/wwid", "t10.ATA     QEMU HARDDISK  \n");
        assertEquals("t10.ATA     QEMU HARDDISK", sysfs.lookup(Kind.BLOCK, 8, 16).wwid());
        assertNull(sysfs.lookup(Kind.BLOCK, 8, 16).dmUuid());
    }
}
