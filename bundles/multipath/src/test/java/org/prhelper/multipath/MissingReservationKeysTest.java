package org.prhelper.multipath;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.prhelper.api.DeviceIdentity;

public class MissingReservationKeysTest {
    private static final String KEYED = "3600140500000000000000000000000a1";
    private static final String UNKEYED_1 = "3600140500000000000000000000000b1";
    private static final String UNKEYED_2 = "3600140500000000000000000000000b2";

    private static DeviceIdentity map(String path, int minor, String wwid) {
        return new DeviceIdentity(path, DeviceIdentity.Kind.BLOCK, 253, minor, null, "mpath-" + wwid);
    }

    @Test
    public void eachMapWithoutAKeyIsReportedOnceAndListedInOrder() {
        ReservationKeys keys = new ReservationKeys();
        keys.parse("multipaths {\n multipath {\n  wwid " + KEYED + "\n  reservation_key file\n }\n}\n");
        MissingReservationKeys missing = new MissingReservationKeys(keys);
        assertEquals(List.of(), missing.warnings());

        assertFalse("a map with a key", missing.firstSeenWithoutKey(map("/dev/dm-0", 0, KEYED)));
        assertTrue(missing.firstSeenWithoutKey(map("/dev/dm-2", 2, UNKEYED_2)));
        assertFalse("logged once", missing.firstSeenWithoutKey(map("/dev/dm-2", 2, UNKEYED_2)));
        assertTrue(missing.firstSeenWithoutKey(map("/dev/mapper/mpathb", 1, UNKEYED_1)));
        assertFalse("not a map", missing.firstSeenWithoutKey(DeviceIdentity.UNKNOWN));

        assertEquals(List.of(MissingReservationKeys.warning("/dev/mapper/mpathb", "mpath-" + UNKEYED_1),
                MissingReservationKeys.warning("/dev/dm-2", "mpath-" + UNKEYED_2)), missing.warnings());
        assertEquals("multipath map /dev/dm-2 (mpath-" + UNKEYED_2 + ") has no reservation_key in multipath.conf: "
                + "multipathd will not register the key again on a path that comes back after a failure; set "
                + "'reservation_key file' in its defaults section", missing.warnings().get(1));
    }

    @Test
    public void aKeyInDefaultsCoversEveryMap() {
        ReservationKeys keys = new ReservationKeys();
        keys.parse("defaults {\n reservation_key file\n}\n");
        MissingReservationKeys missing = new MissingReservationKeys(keys);
        assertFalse(missing.firstSeenWithoutKey(map("/dev/dm-2", 2, UNKEYED_2)));
        assertEquals(List.of(), missing.warnings());
    }
}
