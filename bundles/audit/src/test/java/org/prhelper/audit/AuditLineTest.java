package org.prhelper.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.ScsiStatus;

public class AuditLineTest {
    @Test
    public void everyFieldOfAnAllowedPrOut() {
        assertEquals("socket=default peer.pid=1234 peer.uid=107 peer.gid=108 vm=db1 dev=/dev/sdb devnum=8:16 "
                + "wwid=naa.6001405ab0000000000000000000001 op=PROUT sa=REGISTER scope=0 type=0 key=0x0 "
                + "sakey=0x1234 decision=allow backend=sgio status=GOOD sense=0/00/00 latency_us=87",
                AuditLine.format(Records.register()));
    }

    @Test
    public void deniedPrOutWithSenseAndAllKeyBits() {
        AuditRecord r = new AuditRecord(Records.TIME, "vm-sockets", Records.PEER, Records.SDB, 0x5F, 0x07, 1, 6,
                0xFEDCBA9876543210L, 0x0123456789ABCDEFL, "deny: device /dev/sdb not allowed", null,
                ScsiStatus.CHECK_CONDITION, 0x0B, 0x08, 0x01, 999);
        assertEquals("socket=vm-sockets peer.pid=1234 peer.uid=107 peer.gid=108 vm=db1 dev=/dev/sdb devnum=8:16 "
                + "wwid=naa.6001405ab0000000000000000000001 op=PROUT sa=REGISTER_AND_MOVE scope=1 type=6 "
                + "key=0xfedcba9876543210 sakey=0x123456789abcdef decision=\"deny: device /dev/sdb not allowed\" "
                + "backend=- status=CHECK_CONDITION sense=b/08/01 latency_us=0", AuditLine.format(r));
    }

    @Test
    public void prInHasNoScopeTypeOrKeys() {
        AuditRecord r = new AuditRecord(Records.TIME, "default", Records.PEER, Records.SDB, 0x5E, 0x03, -1, -1,
                0, 0, "allow", "sgio", ScsiStatus.RESERVATION_CONFLICT, 0, 0, 0, 12_000);
        String line = AuditLine.format(r);
        assertTrue(line, line.contains(" op=PRIN sa=READ_FULL_STATUS scope=- type=- key=- sakey=- "));
        assertTrue(line, line.contains(" status=RESERVATION_CONFLICT sense=0/00/00 latency_us=12"));
    }

    @Test
    public void unknownPeerDeviceAndBackendAreDashes() {
        AuditRecord r = new AuditRecord(null, null, null, null, 0x5E, 0x00, -1, -1, 0, 0, null, null,
                ScsiStatus.GOOD, 0, 0, 0, 1000);
        assertEquals("socket=- peer.pid=- peer.uid=- peer.gid=- vm=- dev=- devnum=- wwid=- op=PRIN sa=READ_KEYS "
                + "scope=- type=- key=- sakey=- decision=- backend=- status=GOOD sense=0/00/00 latency_us=1",
                AuditLine.format(r));
        AuditRecord unknownIdentity = new AuditRecord(null, "s", PeerIdentity.UNKNOWN, DeviceIdentity.UNKNOWN,
                0x5E, 0x00, -1, -1, 0, 0, "allow", null, ScsiStatus.GOOD, 0, 0, 0, 0);
        assertTrue(AuditLine.format(unknownIdentity).startsWith(
                "socket=s peer.pid=- peer.uid=- peer.gid=- vm=- dev=- devnum=- wwid=- "));
    }

    @Test
    public void multipathMapShowsItsDmUuidAsWwid() {
        DeviceIdentity map = new DeviceIdentity("/dev/dm-3", DeviceIdentity.Kind.BLOCK, 253, 3, null,
                "mpath-36001405ab0000000000000000000001");
        AuditRecord r = new AuditRecord(Records.TIME, "default", Records.PEER, map, 0x5E, 0x00, -1, -1, 0, 0,
                "allow", "sgio", ScsiStatus.GOOD, 0, 0, 0, 0);
        assertTrue(AuditLine.format(r).contains(
                " dev=/dev/dm-3 devnum=253:3 wwid=mpath-36001405ab0000000000000000000001 "));
    }

    @Test
    public void unknownOpcodesServiceActionsAndStatusesAreNumbers() {
        assertEquals("0x12", org.prhelper.api.PrCommands.opcode(0x12));
        assertEquals("9", org.prhelper.api.PrCommands.serviceAction(0x5F, 9));
        assertEquals("4", org.prhelper.api.PrCommands.serviceAction(0x5E, 4));
        assertEquals("0", org.prhelper.api.PrCommands.serviceAction(0x12, 0));
        assertEquals("0x40", AuditLine.status(0x40));
        assertEquals("TASK_SET_FULL", AuditLine.status(ScsiStatus.TASK_SET_FULL));
    }

    @Test
    public void serviceActionNames() {
        String[] in = {"READ_KEYS", "READ_RESERVATION", "REPORT_CAPABILITIES", "READ_FULL_STATUS"};
        for (int sa = 0; sa < in.length; sa++) {
            assertEquals(in[sa], org.prhelper.api.PrCommands.serviceAction(0x5E, sa));
        }
        String[] out = {"REGISTER", "RESERVE", "RELEASE", "CLEAR", "PREEMPT", "PREEMPT_AND_ABORT",
            "REGISTER_AND_IGNORE", "REGISTER_AND_MOVE", "REPLACE_LOST"};
        for (int sa = 0; sa < out.length; sa++) {
            assertEquals(out[sa], org.prhelper.api.PrCommands.serviceAction(0x5F, sa));
        }
    }

    @Test
    public void valuesThatCouldSplitAFieldOrForgeALineAreQuotedAndEscaped() {
        PeerIdentity peer = new PeerIdentity(1, 2, 3, "evil\n2026-01-01 socket=x decision=allow");
        DeviceIdentity dev = new DeviceIdentity("/dev/disk/by-id/a b\"c\\d", DeviceIdentity.Kind.BLOCK, 8, 0,
                "naa.1\u2028x\u0085\u0007", null);
        AuditRecord r = new AuditRecord(Records.TIME, "", peer, dev, 0x5E, 0, -1, -1, 0, 0, "allow", "sgio",
                ScsiStatus.GOOD, 0, 0, 0, 0);
        String line = AuditLine.format(r);
        assertTrue(line, line.startsWith("socket=\"\" "));
        assertTrue(line, line.contains(" vm=\"evil\\n2026-01-01 socket=x decision=allow\" "));
        assertTrue(line, line.contains(" dev=\"/dev/disk/by-id/a b\\\"c\\\\d\" "));
        assertTrue(line, line.contains(" wwid=\"naa.1\\u2028x\\u0085\\u0007\" "));
        assertEquals(-1, line.indexOf('\n'));
    }

    @Test
    public void tabsAndCarriageReturnsAreEscapedToo() {
        PeerIdentity peer = new PeerIdentity(1, 2, 3, "a\tb\rc");
        AuditRecord r = new AuditRecord(Records.TIME, "s", peer, Records.SDB, 0x5E, 0, -1, -1, 0, 0, "allow",
                "sgio", ScsiStatus.GOOD, 0, 0, 0, 0);
        assertTrue(AuditLine.format(r).contains(" vm=\"a\\tb\\rc\" "));
    }

    @Test
    public void aShellUserEndsTheLineAndSocketLinesHaveNone() {
        String socketLine = AuditLine.format(Records.register());
        assertTrue(socketLine, socketLine.endsWith(" latency_us=87"));
        assertEquals(socketLine + " user=admin", AuditLine.format(Records.register().withUser("admin")));
        // A JAAS user name is free text: quoted like any other value.
        assertTrue(AuditLine.format(Records.register().withUser("jo doe")).endsWith(" latency_us=87 user=\"jo doe\""));
    }
}
