package org.prhelper.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.prhelper.policy.Fixtures.config;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ParseTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private Accounts accounts;

    @Before
    public void accounts() throws IOException {
        accounts = Fixtures.accounts(tmp.getRoot().toPath());
    }

    private SocketPolicy parse(Map<String, Object> config) {
        return SocketPolicy.parse(config, accounts, () -> 0);
    }

    private void assertRejected(String message, Object... keysAndValues) {
        try {
            SocketPolicy policy = parse(config(keysAndValues));
            fail("accepted, as " + policy);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }

    private void assertRejectedStartingWith(String start, Object... keysAndValues) {
        try {
            SocketPolicy policy = parse(config(keysAndValues));
            fail("accepted, as " + policy);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(start));
        }
    }

    @Test
    public void badReservationTypes() {
        String choices = "not a reservation type (1, 3, 5, 6, 7, 8)";
        assertRejected("allow.prout.types = '4': " + choices, "allow.prout.types", "4");
        assertRejected("allow.prout.types = '1, 4': '4' is " + choices, "allow.prout.types", "1, 4");
        assertRejected("allow.prout.types = '1, 2': '2' is " + choices, "allow.prout.types", new String[] {"1", "2"});
        assertRejected("allow.prout.types = '0': " + choices, "allow.prout.types", 0);
        assertRejected("allow.prout.types = 'exclusive': " + choices, "allow.prout.types", "exclusive");
        assertRejected("allow.prout.types = '16': " + choices, "allow.prout.types", "16");
    }

    @Test
    public void badServiceActions() {
        String choices = "not a PR OUT service action (0..8 or register, reserve, release, clear, preempt, "
                + "preempt-and-abort, register-and-ignore-existing-key, register-and-move, replace-lost-reservation)";
        assertRejected("allow.prout.actions = '9': " + choices, "allow.prout.actions", "9");
        assertRejected("allow.prout.actions = 'register, nuke': 'nuke' is " + choices, "allow.prout.actions", "register, nuke");
        assertRejected("allow.prout.actions = '-1': " + choices, "allow.prout.actions", "-1");
    }

    @Test
    public void badDeviceNumbers() {
        String rule = "not MAJ:MIN or MAJ:* (major 0..4095, minor 0..1048575)";
        for (String bad : List.of("8", "8:", ":0", "8:x", "4096:0", "8:1048576", "-1:0", "*:*", "8:0:1", "+8:0", "b8:0")) {
            assertRejected("allow.devices.numbers = '" + bad + "': " + rule, "allow.devices.numbers", bad);
        }
        assertRejected("allow.devices.numbers = '8:0, 8:16:': '8:16:' is " + rule, "allow.devices.numbers", "8:0, 8:16:");
    }

    @Test
    public void badPathGlobs() {
        assertRejected("allow.devices.path = 'sdb': not an absolute path glob (descriptor paths look like /dev/sdb)",
                "allow.devices.path", "sdb");
        assertRejected("allow.devices.path = '/dev/sda, dev/sdb': 'dev/sdb' is not an absolute path glob "
                + "(descriptor paths look like /dev/sdb)", "allow.devices.path", "/dev/sda, dev/sdb");
        // The rest of the message is the JDK's description of the glob error.
        assertRejectedStartingWith("allow.devices.path = '/dev/sd[': not a valid glob: ", "allow.devices.path", "/dev/sd[");
        assertRejectedStartingWith("allow.devices.path = '/dev/{sda': not a valid glob: ", "allow.devices.path", "/dev/{sda");
    }

    @Test
    public void badWwids() {
        assertRejected("allow.devices.wwid = 'naa.xyz': not a WWID: an NAA identifier has 16 or 32 hex digits",
                "allow.devices.wwid", "naa.xyz");
        assertRejected("allow.devices.wwid = '0x6001405ab0': not a WWID: an NAA identifier has 16 or 32 hex digits",
                "allow.devices.wwid", "0x6001405ab0");
        assertRejected("allow.devices.wwid = 'eui.0025': not a WWID: an EUI-64 identifier has 16, 24 or 32 hex digits",
                "allow.devices.wwid", "eui.0025");
        assertRejected("allow.devices.wwid = 't10.': not a WWID: the T10 vendor id is empty",
                "allow.devices.wwid", new String[] {"t10.  "});
        for (String bad : List.of("36001405ab", "mpath-", "disk1", "4" + Fixtures.LUN1_HEX, "3" + Fixtures.LUN1_HEX + "0")) {
            assertRejected("allow.devices.wwid = '" + bad + "': " + Wwid.FORMS, "allow.devices.wwid", bad);
        }
    }

    @Test
    public void badPeers() {
        assertRejected("allow.peers.uid = 'nobody-here': not a user id (0..4294967294) or a user in /etc/passwd",
                "allow.peers.uid", "nobody-here");
        assertRejected("allow.peers.uid = '4294967295': not a user id (0..4294967294) or a user in /etc/passwd",
                "allow.peers.uid", "4294967295");
        assertRejected("allow.peers.uid = '0, -1': '-1' is not a user id (0..4294967294) or a user in /etc/passwd",
                "allow.peers.uid", "0, -1");
        assertRejected("allow.peers.gid = 'wheel': not a group id (0..4294967294) or a group in /etc/group",
                "allow.peers.gid", "wheel");
        assertRejected("allow.peers.uid = 'kvm': not a user id (0..4294967294) or a user in /etc/passwd",
                "allow.peers.uid", "kvm");
        for (String bad : List.of("0", "abc", "4194305", "1.5")) {
            assertRejected("allow.peers.pid = '" + bad + "': not a process id (1..4194304)", "allow.peers.pid", bad);
        }
    }

    @Test
    public void badReadOnly() {
        assertRejected("readOnly = 'yes': not true or false", "readOnly", "yes");
        assertRejected("readOnly = '1': not true or false", "readOnly", 1);
        assertRejected("readOnly = 'true, false': not a single value", "readOnly", "true, false");
        assertRejected("readOnly = 'true, true': not a single value", "readOnly", new Boolean[] {true, true});
    }

    @Test
    public void badRates() {
        String rate = "not a number of requests per second, 0 (unlimited) to 1000000";
        for (String bad : List.of("-1", "fast", "1e3", "2000000", "NaN", "Infinity", "5d", "0x10", "5/s")) {
            assertRejected("rateLimit = '" + bad + "': " + rate, "rateLimit", bad);
        }
        String burst = "not a number of requests, 0 (same as rateLimit) to 1000000";
        for (String bad : List.of("-1", "1.5", "many", "1000001")) {
            assertRejected("rateBurst = '" + bad + "': " + burst, "rateLimit", "10", "rateBurst", bad);
        }
    }

    @Test
    public void misspeltAllowKeyIsAnError() {
        assertRejected("allow.device.path = '/dev/sdb': not a policy key (allow.devices.path, allow.devices.wwid, "
                + "allow.devices.numbers, allow.prout.actions, allow.prout.types, readOnly, allow.peers.uid, "
                + "allow.peers.gid, allow.peers.pid, rateLimit, rateBurst)", "allow.device.path", "/dev/sdb");
    }

    @Test
    public void otherKeysAreIgnored() {
        assertSame(SocketPolicy.ALLOW_ALL, parse(config("path", "/run/prhelper/vm1.sock", "mode", "0660",
                "service.pid", "org.prhelper.socket~vm1", "component.id", 12L, "readonly.note", "x")));
    }

    @Test
    public void defaultsAndBlanksAreAllowAll() {
        // What DS passes when the component property type's defaults are all there is.
        assertSame(SocketPolicy.ALLOW_ALL, parse(config("readOnly", false, "rateLimit", 0, "rateBurst", 0)));
        assertSame(SocketPolicy.ALLOW_ALL, parse(config("allow.devices.path", "", "allow.devices.wwid", " , ",
                "allow.peers.uid", new String[0], "allow.prout.types", new String[] {""}, "readOnly", " ")));
        assertSame(SocketPolicy.ALLOW_ALL, parse(config()));
    }

    @Test
    public void keysIgnoreCase() {
        SocketPolicy policy = parse(config("READONLY", "True", "Allow.Devices.Numbers", "8:0"));
        assertEquals("allow.devices.numbers = 8:0; readOnly", policy.toString());
    }

    @Test
    public void valuesOfEveryConfigAdminType() {
        assertEquals("allow.peers.uid = 0, 1000, 64055; allow.peers.pid = 7",
                parse(config("allow.peers.uid", new long[] {64055, 1000, 0}, "allow.peers.pid", 7L)).toString());
        assertEquals("allow.peers.gid = 108, 64055",
                parse(config("allow.peers.gid", List.of("kvm", 64055))).toString());
        assertEquals("allow.prout.actions = register, reserve; allow.prout.types = write-exclusive",
                parse(config("allow.prout.actions", new Integer[] {1, 0}, "allow.prout.types", 1)).toString());
        assertEquals("rateLimit = 0.5/s, rateBurst = 1", parse(config("rateLimit", 0.5)).toString());
        assertEquals("rateLimit = 20/s, rateBurst = 5", parse(config("rateLimit", 20, "rateBurst", "5")).toString());
        assertEquals("rateLimit = 2.5/s, rateBurst = 3", parse(config("rateLimit", "2.5", "rateBurst", 0)).toString());
    }

    @Test
    public void describesDeviceRulesInCanonicalForm() {
        assertEquals("allow.devices.path = /dev/{sda,sdb}, /dev/dm-*; allow.devices.wwid = naa." + Fixtures.LUN1_HEX
                + ", eui.0025385b71b05e3f, t10.ata_qemu_harddisk; allow.devices.numbers = 8:*",
                parse(config("allow.devices.path", "/dev/{sda,sdb},/dev/dm-*",
                        "allow.devices.wwid", "mpath-3" + Fixtures.LUN1_HEX.toUpperCase() + ", 20025385b71b05e3f, 1ATA  QEMU HARDDISK",
                        "allow.devices.numbers", "8:*")).toString());
    }

    @Test
    public void userNamesResolveFromPasswdFirstEntryWinning() {
        assertEquals("allow.peers.uid = 0, 1000, 64055",
                parse(config("allow.peers.uid", "libvirt-qemu, alice, root")).toString());
    }

    @Test
    public void missingAccountFilesMeanNoNames() {
        Accounts none = new Accounts(tmp.getRoot().toPath().resolve("no-passwd"), tmp.getRoot().toPath().resolve("no-group"));
        try {
            SocketPolicy.parse(config("allow.peers.uid", "root"), none, () -> 0);
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("allow.peers.uid = 'root': not a user id (0..4294967294) or a user in /etc/passwd", e.getMessage());
        }
        assertEquals("allow.peers.uid = 0", SocketPolicy.parse(config("allow.peers.uid", "0"), none, () -> 0).toString());
    }
}
