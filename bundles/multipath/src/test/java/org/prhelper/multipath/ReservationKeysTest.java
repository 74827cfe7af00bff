package org.prhelper.multipath;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Which maps multipath.conf gives a reservation_key, so that multipathd re-registers returning paths. */
public class ReservationKeysTest {
    private static final String WWID = "36001405ab0000000000000000000001";
    private static final String MAP = "mpath-" + WWID;
    private static final String OTHER_MAP = "mpath-36001405ab0000000000000000000002";
    /** multipath.conf giving MAP alone a key. */
    private static final String KEYED_MAP = "multipaths {\n  multipath {\n    wwid " + WWID + "\n"
            + "    reservation_key file\n  }\n}\n";

    @Test
    public void aKeyInDefaultsCoversEveryMap() {
        ReservationKeys keys = parse("defaults {\n\tuser_friendly_names yes\n\treservation_key file\n}\n");
        assertTrue(keys.covers(MAP));
        assertTrue(keys.covers(OTHER_MAP));
    }

    @Test
    public void aKeyInOverridesCoversEveryMap() {
        assertTrue(parse("overrides {\n  reservation_key 0x123abc\n}\n").covers(OTHER_MAP));
    }

    /** The wwid may come before or after the key, quoted or not; another map stays uncovered. */
    @Test
    public void aKeyInAMultipathSectionCoversThatWwidOnly() {
        for (String wwid : new String[] {WWID, "\"" + WWID + "\""}) {
            ReservationKeys keys = parse("multipaths {\n  multipath {\n    wwid " + wwid + "\n"
                    + "    alias data\n    reservation_key file\n  }\n  multipath {\n"
                    + "    reservation_key 0x1\n    wwid 36001405ab0000000000000000000003\n  }\n}\n");
            assertTrue(wwid, keys.covers(MAP));
            assertTrue(wwid, keys.covers("mpath-36001405ab0000000000000000000003"));
            assertFalse(wwid, keys.covers(OTHER_MAP));
        }
    }

    /** A multipath section with a wwid but no key covers nothing, even next to one that has a key. */
    @Test
    public void aMultipathSectionWithoutKeyDoesNotCount() {
        ReservationKeys keys = parse("multipaths {\n  multipath {\n    wwid " + WWID + "\n  }\n"
                + "  multipath {\n    reservation_key file\n  }\n}\n");
        assertFalse(keys.covers(MAP));
    }

    /** multipath.conf comments start with # or !, also after a setting or a brace. */
    @Test
    public void commentedOutKeysDoNotCount() {
        ReservationKeys keys = parse("defaults {\n# reservation_key file\n  ! reservation_key file\n"
                + "  find_multipaths yes # reservation_key file\n}\n");
        assertFalse(keys.covers(MAP));
        assertTrue(parse("defaults { # see {man 5 multipath.conf}\n  reservation_key file\n}\n").covers(MAP));
        assertTrue(parse("defaults { ! see {man 5 multipath.conf}\n  reservation_key file\n}\n").covers(MAP));
    }

    /** multipathd takes no reservation_key from a devices or blacklist section. */
    @Test
    public void aKeyInTheDevicesSectionDoesNotCount() {
        ReservationKeys keys = parse("devices {\n  device {\n    vendor \"LIO-ORG\"\n    reservation_key file\n"
                + "    wwid " + WWID + "\n  }\n}\nblacklist {\n  wwid " + WWID + "\n}\n");
        assertFalse(keys.covers(MAP));
    }

    @Test
    public void withoutAnyKeyNoMapIsCovered() {
        assertFalse(new ReservationKeys().covers(MAP));
        assertFalse(parse("defaults {\n  user_friendly_names yes\n}\n").covers(MAP));
    }

    /** Only device-mapper uuids of multipath maps name a wwid; a key for it says nothing about others. */
    @Test
    public void aUuidThatIsNoMultipathMapIsNotCovered() {
        ReservationKeys keys = parse(KEYED_MAP);
        assertFalse(keys.covers(WWID));
        assertFalse(keys.covers("LVM-" + WWID));
        assertFalse(keys.covers("part1-" + MAP));
        assertFalse(keys.covers("CRYPT-" + WWID));
        assertFalse(keys.covers(null));
    }

    /** Settings add up over the files read (multipath.conf and conf.d). */
    @Test
    public void severalFilesAddUp() {
        ReservationKeys keys = parse(KEYED_MAP);
        keys.parse("overrides {\n}\n");
        assertFalse(keys.covers(OTHER_MAP));
        keys.parse("defaults {\n  reservation_key file\n}\n");
        assertTrue(keys.covers(OTHER_MAP));
    }

    /** The map's own section, then overrides, then defaults decide where its key is kept. */
    @Test
    public void theKeyIsInThePrkeysFileAsMultipathdSelectsIt() {
        assertTrue(parse("defaults {\n  reservation_key file\n}\n").inPrkeysFile(MAP));
        assertFalse(parse("defaults {\n  reservation_key 0x1\n}\n").inPrkeysFile(MAP));
        assertFalse(parse("defaults {\n  user_friendly_names yes\n}\n").inPrkeysFile(MAP));
        ReservationKeys keys = parse("defaults {\n  reservation_key file\n}\n"
                + "multipaths {\n  multipath {\n    wwid " + WWID + "\n    reservation_key 0xabc\n  }\n}\n");
        assertFalse("the map's section first", keys.inPrkeysFile(MAP));
        assertTrue(keys.inPrkeysFile(OTHER_MAP));
        keys.parse("overrides {\n  reservation_key \"0x5\"\n}\n");
        assertFalse("overrides before defaults", keys.inPrkeysFile(OTHER_MAP));
        assertTrue(keys.covers(OTHER_MAP));
        assertFalse(parse("devices {\n  device {\n    reservation_key file\n  }\n}\n").inPrkeysFile(MAP));
        assertFalse(parse("defaults {\n  reservation_key file\n}\n").inPrkeysFile("LVM-" + WWID));
    }

    /** all_tg_pt from the same places; a device section's counts for every map (hardware is not matched here). */
    @Test
    public void allTargetPortsAsMultipathdSelectsIt() {
        assertFalse(parse("defaults {\n  reservation_key file\n}\n").allTargetPorts(MAP));
        assertTrue(parse("defaults {\n  all_tg_pt yes\n}\n").allTargetPorts(MAP));
        assertFalse(parse("defaults {\n  all_tg_pt no\n}\n").allTargetPorts(MAP));
        ReservationKeys keys = parse("defaults {\n  all_tg_pt yes\n}\n"
                + "multipaths {\n  multipath {\n    wwid " + WWID + "\n    all_tg_pt no\n  }\n}\n");
        assertFalse(keys.allTargetPorts(MAP));
        assertTrue(keys.allTargetPorts(OTHER_MAP));
        assertTrue(parse("devices {\n  device {\n    vendor X\n    all_tg_pt yes\n  }\n}\n").allTargetPorts(MAP));
    }

    private static ReservationKeys parse(String text) {
        ReservationKeys keys = new ReservationKeys();
        keys.parse(text);
        return keys;
    }
}
