package org.prhelper.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.prhelper.policy.Fixtures.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrRequest;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/** One row per rule kind and outcome: configuration, peer, device, request, and the decision expected. */
@RunWith(Parameterized.class)
public class DecisionTableTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final SenseCode DENIED = SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS;
    private static final SenseCode FIELD = SenseCode.INVALID_FIELD_IN_CDB;
    private static final SenseCode OPCODE = SenseCode.INVALID_OPCODE;

    private static final List<Object[]> ROWS = new ArrayList<>();

    private static void allow(String what, Map<String, Object> config, PeerIdentity peer, DeviceIdentity device,
            PrRequest request) {
        ROWS.add(new Object[] {"allow: " + what, config, peer, device, request, null, null});
    }

    private static void deny(String what, Map<String, Object> config, PeerIdentity peer, DeviceIdentity device,
            PrRequest request, SenseCode sense, String rule) {
        ROWS.add(new Object[] {"deny: " + what, config, peer, device, request, sense, rule});
    }

    @Parameters(name = "{0}")
    public static List<Object[]> rows() {
        // no policy
        allow("no keys", config(), USER, FILE, out(CLEAR, 0));
        allow("transport keys only", config("path", "/run/vm1.sock", "mode", "0600"), USER, SDC, out(PREEMPT_AND_ABORT, 1));

        // allow.devices.path
        Map<String, Object> sdAB = config("allow.devices.path", "/dev/sd[ab]");
        allow("path glob", sdAB, QEMU, SDA, in(0));
        allow("path glob, second path", sdAB, QEMU, SDB, out(REGISTER, 0));
        deny("path glob", sdAB, QEMU, SDC, out(REGISTER, 0), DENIED, "device /dev/sdc (8:32) not in allow.devices.*");
        deny("path glob, PR IN too", sdAB, QEMU, SDC, in(0), DENIED, "device /dev/sdc (8:32) not in allow.devices.*");
        deny("path glob, map of the same LUN", sdAB, QEMU, MPATH, in(0), DENIED, "device /dev/dm-0 (253:0) not in allow.devices.*");
        Map<String, Object> braces = config("allow.devices.path", "/dev/{sdb,sdc}, /dev/dm-*");
        allow("glob alternatives survive comma splitting", braces, QEMU, SDC, in(0));
        allow("second glob of a list", braces, QEMU, MPATH, in(0));
        deny("glob alternatives", braces, QEMU, SDA, in(0), DENIED, "device /dev/sda (8:0) not in allow.devices.*");
        deny("glob on a regular file", config("allow.devices.path", "/dev/**"), QEMU, FILE, in(0), DENIED,
                "device /var/lib/images/sda not in allow.devices.*");
        deny("unidentified device", config("allow.devices.path", "/**"), QEMU, DeviceIdentity.UNKNOWN, in(0), DENIED,
                "device (unidentified) not in allow.devices.*");
        allow("glob array", config("allow.devices.path", new String[] {"/dev/sdz", "/dev/sda"}), QEMU, SDA, in(0));

        // allow.devices.wwid, in each form, against sd wwid, dm uuid and sg wwid
        String[] forms = {
            "naa." + LUN1_HEX, "NAA." + LUN1_HEX.toUpperCase(), "3" + LUN1_HEX, "mpath-3" + LUN1_HEX,
            "0x" + LUN1_HEX, "0X" + LUN1_HEX.toUpperCase(), LUN1_HEX,
        };
        for (String form : forms) {
            Map<String, Object> wwid = config("allow.devices.wwid", form);
            allow("wwid " + form + " / sd path 1", wwid, QEMU, SDA, out(RESERVE, 1));
            allow("wwid " + form + " / sd path 2", wwid, QEMU, SDB, out(RESERVE, 1));
            allow("wwid " + form + " / multipath map", wwid, QEMU, MPATH, out(RESERVE, 1));
            allow("wwid " + form + " / sg node", wwid, QEMU, SG, out(RESERVE, 1));
            deny("wwid " + form + " / other LUN", wwid, QEMU, SDC, out(RESERVE, 1), DENIED,
                    "device /dev/sdc (8:32) not in allow.devices.*");
        }
        Map<String, Object> lun1 = config("allow.devices.wwid", "3" + LUN1_HEX);
        deny("wwid / regular file", lun1, QEMU, FILE, in(0), DENIED, "device /var/lib/images/sda not in allow.devices.*");
        deny("wwid / other dm map", lun1, QEMU, LVM, in(0), DENIED, "device /dev/dm-2 (253:2) not in allow.devices.*");
        allow("wwid list", config("allow.devices.wwid", "naa.6001405cd00000000000000000000020, 3" + LUN1_HEX), QEMU, SDA, in(0));
        allow("t10 vendor id, multipath form", config("allow.devices.wwid", "1ATA_QEMU_HARDDISK_QM00005"), QEMU, T10, in(0));
        allow("t10 vendor id, kernel form", config("allow.devices.wwid", "t10.ATA QEMU HARDDISK QM00005"), QEMU, T10, in(0));
        deny("t10 vendor id", config("allow.devices.wwid", "1ATA_QEMU_HARDDISK_QM00006"), QEMU, T10, in(0), DENIED,
                "device /dev/sdd (8:48) not in allow.devices.*");
        Map<String, Object> eui = config("allow.devices.wwid", "20025385B71B05E3F");
        allow("eui-64 / sd", eui, QEMU, EUI, in(0));
        allow("eui-64 / map", eui, QEMU, EUI_MAP, in(0));
        deny("naa rule with an eui device's digits", config("allow.devices.wwid", "naa.0025385b71b05e3f"), QEMU, EUI,
                in(0), DENIED, "device /dev/sde (8:64) not in allow.devices.*");
        allow("scsi name string", config("allow.devices.wwid", "8iqn.2003-01.org.linux-iscsi.lab:lun0"), QEMU, ISCSI_NAME, in(0));

        // allow.devices.numbers
        Map<String, Object> sda = config("allow.devices.numbers", "8:0");
        allow("numbers", sda, QEMU, SDA, in(0));
        deny("numbers", sda, QEMU, SDB, in(0), DENIED, "device /dev/sdb (8:16) not in allow.devices.*");
        Map<String, Object> major8 = config("allow.devices.numbers", "8:*");
        allow("major wildcard", major8, QEMU, SDC, in(0));
        deny("major wildcard", major8, QEMU, MPATH, in(0), DENIED, "device /dev/dm-0 (253:0) not in allow.devices.*");
        allow("character device", config("allow.devices.numbers", "21:1"), QEMU, SG, in(0));
        deny("numbers never match a regular file", config("allow.devices.numbers", "0:*"), QEMU,
                new DeviceIdentity("/tmp/x", DeviceIdentity.Kind.OTHER, 0, 0, null, null), in(0), DENIED,
                "device /tmp/x not in allow.devices.*");
        allow("numbers list with spaces", config("allow.devices.numbers", " 253:0 , 8:16 "), QEMU, SDB, in(0));

        // the allow.devices.* keys together: any one match allows
        Map<String, Object> mixed = config("allow.devices.path", "/dev/sda", "allow.devices.wwid", LUN2,
                "allow.devices.numbers", "253:*");
        allow("mixed, by path", mixed, QEMU, SDA, in(0));
        allow("mixed, by wwid", mixed, QEMU, SDC, in(0));
        allow("mixed, by numbers", mixed, QEMU, MPATH, in(0));
        deny("mixed", mixed, QEMU, SDB, in(0), DENIED, "device /dev/sdb (8:16) not in allow.devices.*");

        // allow.peers.*
        Map<String, Object> qemuUid = config("allow.peers.uid", "64055");
        allow("uid", qemuUid, QEMU, SDA, in(0));
        deny("uid", qemuUid, USER, SDA, in(0), DENIED, "peer uid 1000 not in allow.peers.uid");
        deny("uid, unknown peer", qemuUid, PeerIdentity.UNKNOWN, SDA, in(0), DENIED, "peer uid -1 not in allow.peers.uid");
        allow("uid by name", config("allow.peers.uid", "libvirt-qemu"), QEMU, SDA, in(0));
        allow("uid as Integer", config("allow.peers.uid", 64055), QEMU, SDA, in(0));
        allow("gid list", config("allow.peers.gid", "64055, 0"), ROOT, SDA, in(0));
        allow("gid by name", config("allow.peers.gid", "root,kvm"), new PeerIdentity(9, 64055, 108, null), SDA, in(0));
        deny("gid", config("allow.peers.gid", "kvm"), QEMU, SDA, in(0), DENIED, "peer gid 64055 not in allow.peers.gid");
        allow("pid", config("allow.peers.pid", "4242"), QEMU, SDA, in(0));
        deny("pid", config("allow.peers.pid", "4242"), USER, SDA, in(0), DENIED, "peer pid 555 not in allow.peers.pid");
        Map<String, Object> uidAndGid = config("allow.peers.uid", "64055", "allow.peers.gid", "0");
        deny("uid and gid must both match", uidAndGid, QEMU, SDA, in(0), DENIED, "peer gid 64055 not in allow.peers.gid");
        allow("uid and gid", uidAndGid, new PeerIdentity(7, 64055, 0, null), SDA, in(0));
        deny("peer is checked before device", config("allow.peers.uid", "0", "allow.devices.numbers", "8:0"), USER, SDC,
                in(0), DENIED, "peer uid 1000 not in allow.peers.uid");

        // allow.prout.actions
        Map<String, Object> noClear = config("allow.prout.actions",
                "register, reserve, release, preempt, register-and-ignore-existing-key");
        allow("action by name", noClear, QEMU, SDA, out(REGISTER, 0));
        allow("action by name", noClear, QEMU, SDA, out(REGISTER_AND_IGNORE, 0));
        deny("action", noClear, QEMU, SDA, out(CLEAR, 0), FIELD, "service action 3 (clear) not in allow.prout.actions");
        deny("action", noClear, QEMU, SDA, out(PREEMPT_AND_ABORT, 1), FIELD,
                "service action 5 (preempt-and-abort) not in allow.prout.actions");
        deny("action without a name", noClear, QEMU, SDA, out(0x1F, 0), FIELD, "service action 31 not in allow.prout.actions");
        allow("actions do not restrict PR IN", noClear, QEMU, SDA, in(3));
        Map<String, Object> byNumber = config("allow.prout.actions", new String[] {"0", "6"});
        allow("action by number", byNumber, QEMU, SDA, out(REGISTER_AND_IGNORE, 0));
        deny("action by number", byNumber, QEMU, SDA, out(RESERVE, 1), FIELD, "service action 1 (reserve) not in allow.prout.actions");
        allow("action name with underscores and capitals", config("allow.prout.actions", "PREEMPT_AND_ABORT"), QEMU, SDA,
                out(PREEMPT_AND_ABORT, 1));

        // allow.prout.types
        Map<String, Object> we = config("allow.prout.types", "write-exclusive, 5");
        allow("type by name", we, QEMU, SDA, out(RESERVE, 1));
        allow("type by number", we, QEMU, SDA, out(RESERVE, 5));
        deny("type", we, QEMU, SDA, out(RESERVE, 3), FIELD, "type 3 (exclusive-access) not in allow.prout.types");
        deny("type on RELEASE", we, QEMU, SDA, out(RELEASE, 3), FIELD, "type 3 (exclusive-access) not in allow.prout.types");
        deny("type on PREEMPT", we, QEMU, SDA, out(PREEMPT, 8), FIELD,
                "type 8 (exclusive-access-all-registrants) not in allow.prout.types");
        deny("type on PREEMPT AND ABORT", we, QEMU, SDA, out(PREEMPT_AND_ABORT, 6), FIELD,
                "type 6 (exclusive-access-registrants-only) not in allow.prout.types");
        deny("type on REGISTER AND MOVE", we, QEMU, SDA, out(REGISTER_AND_MOVE, 3), FIELD,
                "type 3 (exclusive-access) not in allow.prout.types");
        deny("type on REPLACE LOST RESERVATION", we, QEMU, SDA, out(REPLACE_LOST, 3), FIELD,
                "type 3 (exclusive-access) not in allow.prout.types");
        deny("reserved type", we, QEMU, SDA, out(RESERVE, 0), FIELD, "type 0 not in allow.prout.types");
        allow("type ignored by REGISTER", we, QEMU, SDA, out(REGISTER, 3));
        allow("type ignored by REGISTER AND IGNORE EXISTING KEY", we, QEMU, SDA, out(REGISTER_AND_IGNORE, 3));
        allow("type ignored by CLEAR", we, QEMU, SDA, out(CLEAR, 8));
        allow("scope bits are not the type", we, QEMU, SDA, out(RESERVE, 0x51));
        allow("types do not restrict PR IN", we, QEMU, SDA, in(1));

        // readOnly
        Map<String, Object> readOnly = config("readOnly", "true");
        allow("readOnly PR IN", readOnly, QEMU, SDA, in(0));
        deny("readOnly PR OUT", readOnly, QEMU, SDA, out(REGISTER, 0), OPCODE, "PR OUT on a readOnly socket");
        deny("readOnly as Boolean", config("readOnly", Boolean.TRUE), QEMU, SDA, out(RESERVE, 1), OPCODE,
                "PR OUT on a readOnly socket");
        deny("readOnly before actions", config("readOnly", "TRUE", "allow.prout.actions", "register"), QEMU, SDA,
                out(CLEAR, 0), OPCODE, "PR OUT on a readOnly socket");
        allow("readOnly false", config("readOnly", "false"), QEMU, SDA, out(CLEAR, 0));
        return ROWS;
    }

    private final Map<String, Object> config;
    private final PeerIdentity peer;
    private final DeviceIdentity device;
    private final PrRequest request;
    private final SenseCode sense;
    private final String rule;

    public DecisionTableTest(String name, Map<String, Object> config, PeerIdentity peer, DeviceIdentity device,
            PrRequest request, SenseCode sense, String rule) {
        this.config = config;
        this.peer = peer;
        this.device = device;
        this.request = request;
        this.sense = sense;
        this.rule = rule;
    }

    @Test
    public void decides() throws IOException {
        SocketPolicy policy = SocketPolicy.parse(config, Fixtures.accounts(TMP.getRoot().toPath()), () -> 0);
        Decision decision = policy.check(peer, device, request);
        if (rule == null) {
            assertEquals(decision.toString(), Decision.ALLOW, decision);
            return;
        }
        assertEquals(rule, decision.rule());
        assertEquals(ScsiStatus.CHECK_CONDITION, decision.status());
        assertEquals(sense, decision.sense());
        assertEquals("deny: " + rule, decision.toString());
    }

    @Test
    public void withoutDeviceRulesAnUnidentifiedDeviceIsNoReason() throws IOException {
        SocketPolicy policy = SocketPolicy.parse(config, Fixtures.accounts(TMP.getRoot().toPath()), () -> 0);
        boolean deviceRules = config.keySet().stream().anyMatch(k -> k.startsWith("allow.devices."));
        if (!deviceRules && rule == null) {
            assertNull(policy.check(peer, null, request).rule());
        }
    }
}
