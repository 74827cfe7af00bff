package org.prhelper.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class WwidTest {
    private static final String HEX = Fixtures.LUN1_HEX;

    /** configured form → canonical form. */
    private static final String[][] CANONICAL = {
        {"naa." + HEX, "naa." + HEX},
        {"NAA." + HEX.toUpperCase(), "naa." + HEX},
        {"3" + HEX, "naa." + HEX},
        {"mpath-3" + HEX, "naa." + HEX},
        {"MPATH-3" + HEX, "naa." + HEX},
        {"0x" + HEX, "naa." + HEX},
        {HEX, "naa." + HEX},
        {"naa.5000c500a1b2c3d4", "naa.5000c500a1b2c3d4"},
        {"35000c500a1b2c3d4", "naa.5000c500a1b2c3d4"},
        {"5000c500a1b2c3d4", "naa.5000c500a1b2c3d4"},
        {"eui.0025385b71b05e3f", "eui.0025385b71b05e3f"},
        {"20025385B71B05E3F", "eui.0025385b71b05e3f"},
        {"2" + "0025385b71b05e3f00000001", "eui.0025385b71b05e3f00000001"},
        {"t10.ATA     QEMU HARDDISK   QM00005 ", "t10.ata_qemu_harddisk_qm00005"},
        {"1ATA_QEMU_HARDDISK_QM00005", "t10.ata_qemu_harddisk_qm00005"},
        {"mpath-1ATA_QEMU__HARDDISK", "t10.ata_qemu_harddisk"},
        {"8iqn.2003-01.org.linux-iscsi.lab:lun0", "iqn.2003-01.org.linux-iscsi.lab:lun0"},
        {"iqn.2003-01.org.linux-iscsi.lab:LUN0", "iqn.2003-01.org.linux-iscsi.lab:lun0"},
        {"8naa." + HEX, "naa." + HEX},
        {"8eui.0025385b71b05e3f", "eui.0025385b71b05e3f"},
    };

    @Test
    public void canonicalForms() {
        for (String[] row : CANONICAL) {
            assertEquals(row[0], row[1], Wwid.parse(row[0]).toString());
        }
    }

    @Test
    public void everyFormMatchesEveryOtherFormOfTheSameIdentifier() {
        for (String[] rule : CANONICAL) {
            Wwid w = Wwid.parse(rule[0]);
            for (String[] id : CANONICAL) {
                boolean same = rule[1].equals(id[1]);
                assertEquals(rule[0] + " vs " + id[0], same, w.matches(id[0], Wwid.locate(id[0])));
            }
        }
    }

    @Test
    public void foldedVendorIdsMatchOnlyWhole() {
        Wwid w = Wwid.parse("1ATA_QEMU_HARDDISK");
        assertTrue(w.matches("t10.  ATA QEMU  HARDDISK  ", Wwid.locate("t10.  ATA QEMU  HARDDISK  ")));
        assertFalse(w.matches("t10.ATA QEMU HARDDISK2", Wwid.locate("t10.ATA QEMU HARDDISK2")));
        assertFalse(w.matches("t10.ATA QEMU HARD", Wwid.locate("t10.ATA QEMU HARD")));
        assertFalse(w.matches("t10.ATAQEMUHARDDISK", Wwid.locate("t10.ATAQEMUHARDDISK")));
    }

    @Test
    public void unknownFormsAndNullMatchNothing() {
        Wwid w = Wwid.parse("3" + HEX);
        for (String id : new String[] {null, "", "mpath-", "LVM-" + HEX, "part1-mpath-3" + HEX, "CRYPT-LUKS2-" + HEX,
            "3" + HEX + "0", "naa." + HEX + "0"}) {
            assertFalse(String.valueOf(id), w.matches(id, Wwid.locate(id)));
        }
        assertEquals(-1, Wwid.locate(null));
        assertEquals(-1, Wwid.locate("LVM-" + HEX));
    }
}
