package org.prhelper.shell;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Test;
import org.prhelper.api.ReservationType;

/** REPORT CAPABILITIES, READ FULL STATUS and transport IDs, field by field, well formed or not. */
public class PrDataTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    public void capabilitiesAsLioReportsThem() {
        // LIO: CRH, SIP_C, ATP_C, PTPL_C, TMV, ALLOW COMMANDS 1, PTPL_A, every type.
        PrData.Capabilities c = capabilities("0008" + "1d" + "91" + "ea01" + "0000");
        assertEquals(new PrData.Capabilities(false, true, true, true, true, true, 1, true, List.of(ReservationType.WR_EX,
                ReservationType.EX_AC, ReservationType.WR_EX_RO, ReservationType.EX_AC_RO, ReservationType.WR_EX_AR,
                ReservationType.EX_AC_AR)), c);
    }

    @Test
    public void eachCapabilityBitAlone() {
        assertEquals(flags(true, false, false, false, false), flags(capabilities("0008" + "80" + "00" + "00000000")));
        assertEquals(flags(false, true, false, false, false), flags(capabilities("0008" + "10" + "00" + "00000000")));
        assertEquals(flags(false, false, true, false, false), flags(capabilities("0008" + "08" + "00" + "00000000")));
        assertEquals(flags(false, false, false, true, false), flags(capabilities("0008" + "04" + "00" + "00000000")));
        assertEquals(flags(false, false, false, false, true), flags(capabilities("0008" + "01" + "00" + "00000000")));
        // Reserved bits of byte 2 set no flag.
        assertEquals(flags(false, false, false, false, false), flags(capabilities("0008" + "62" + "00" + "00000000")));

        PrData.Capabilities ptplA = capabilities("0008" + "00" + "01" + "00000000");
        assertTrue(ptplA.ptplA());
        assertFalse(ptplA.tmv());
        assertEquals(0, ptplA.allowCommands());
        for (int value = 0; value < 8; value++) {
            PrData.Capabilities c = capabilities("0008" + "00" + String.format("%02x", value << 4) + "00000000");
            assertEquals(value, c.allowCommands());
            assertFalse(c.ptplA());
            assertFalse(c.tmv());
        }
    }

    @Test
    public void eachTypeMaskBitAlone() {
        assertEquals(List.of(ReservationType.WR_EX), capabilities("0008" + "00" + "80" + "0200" + "0000").types());
        assertEquals(List.of(ReservationType.EX_AC), capabilities("0008" + "00" + "80" + "0800" + "0000").types());
        assertEquals(List.of(ReservationType.WR_EX_RO), capabilities("0008" + "00" + "80" + "2000" + "0000").types());
        assertEquals(List.of(ReservationType.EX_AC_RO), capabilities("0008" + "00" + "80" + "4000" + "0000").types());
        assertEquals(List.of(ReservationType.WR_EX_AR), capabilities("0008" + "00" + "80" + "8000" + "0000").types());
        assertEquals(List.of(ReservationType.EX_AC_AR), capabilities("0008" + "00" + "80" + "0001" + "0000").types());
        // Reserved bits name no type.
        assertEquals(List.of(), capabilities("0008" + "00" + "80" + "15fe" + "0000").types());
    }

    @Test
    public void typeMaskIsIgnoredWithoutTmv() {
        PrData.Capabilities c = capabilities("0008" + "00" + "00" + "ea01" + "0000");
        assertFalse(c.tmv());
        assertEquals(List.of(), c.types());
    }

    @Test
    public void capabilitiesTooShort() {
        byte[] data = HEX.parseHex("0008" + "1d" + "91" + "ea01" + "0000");
        assertEquals("7 bytes, too short for REPORT CAPABILITIES",
                assertThrows(IllegalArgumentException.class, () -> PrData.capabilities(data, 7)).getMessage());
        assertEquals("0 bytes, too short for REPORT CAPABILITIES",
                assertThrows(IllegalArgumentException.class, () -> PrData.capabilities(data, 0)).getMessage());
        assertEquals("length field 6, too short for REPORT CAPABILITIES",
                assertThrows(IllegalArgumentException.class, () -> capabilities("0006" + "1d" + "91" + "ea01" + "0000"))
                        .getMessage());
    }

    @Test
    public void allowCommandsValues() {
        assertEquals("0 no information", PrData.allowCommands(0));
        assertEquals("1 TEST UNIT READY allowed under WR_EX and EX_AC", PrData.allowCommands(1));
        assertTrue(PrData.allowCommands(2).startsWith("2 as 1; ") && PrData.allowCommands(2).endsWith("refused under WR_EX"));
        assertTrue(PrData.allowCommands(3).startsWith("3 as 1; ") && PrData.allowCommands(3).endsWith("allowed under WR_EX"));
        assertEquals("4 as 3; READ DEFECT DATA refused under WR_EX", PrData.allowCommands(4));
        assertEquals("5 as 3; READ DEFECT DATA allowed under WR_EX", PrData.allowCommands(5));
        assertEquals("6 reserved", PrData.allowCommands(6));
        assertEquals("7 reserved", PrData.allowCommands(7));
    }

    @Test
    public void fullStatusEveryDescriptorField() {
        String holder = descriptor("1122334455667788", "03", "15", "0002", fc("21000024ff3c8f20"));
        String other = descriptor("0000000000000abc", "00", "00", "0001", sas("5000c500a1b2c3d4"));
        PrData.FullStatus s = fullStatus("0000000c" + length(holder + other) + holder + other);
        assertNull(s.problem());
        assertEquals(List.of(
                new PrData.Registrant(0x1122334455667788L, true, true, 1, 5, 2, "FC 0x21000024ff3c8f20"),
                new PrData.Registrant(0xabcL, false, false, 0, 0, 1, "SAS 0x5000c500a1b2c3d4")), s.registrants());
    }

    @Test
    public void fullStatusFlagsAlone() {
        PrData.Registrant allTgPt = fullStatus(one(descriptor("01", "02", "00", "0000", fc("00")))).registrants().get(0);
        assertTrue(allTgPt.allTargetPorts());
        assertFalse(allTgPt.holder());
        PrData.Registrant holder = fullStatus(one(descriptor("01", "01", "08", "ffff", fc("00")))).registrants().get(0);
        assertFalse(holder.allTargetPorts());
        assertTrue(holder.holder());
        assertEquals(0, holder.scope());
        assertEquals(8, holder.type());
        assertEquals(0xffff, holder.relativeTargetPort());
        // Reserved bits of byte 12 set no flag.
        PrData.Registrant reserved = fullStatus(one(descriptor("01", "fc", "00", "0000", fc("00")))).registrants().get(0);
        assertFalse(reserved.allTargetPorts() || reserved.holder());
    }

    @Test
    public void fullStatusWithoutRegistrations() {
        PrData.FullStatus s = fullStatus("00000001" + "00000000");
        assertEquals(List.of(), s.registrants());
        assertNull(s.problem());
    }

    @Test
    public void fullStatusHeaderTooShort() {
        assertEquals("7 bytes, too short for READ FULL STATUS", assertThrows(IllegalArgumentException.class,
                () -> PrData.fullStatus(new byte[8], 7)).getMessage());
    }

    @Test
    public void fullStatusMoreThanReturned() {
        String d = descriptor("01", "00", "00", "0000", fc("00"));
        // The device has two descriptors; the reply carried one.
        PrData.FullStatus s = fullStatus("00000001" + String.format("%08x", 96) + d);
        assertEquals(1, s.registrants().size());
        assertEquals("the device has 96 bytes of descriptors, 48 were returned", s.problem());
    }

    @Test
    public void fullStatusDescriptorCutOff() {
        String d = descriptor("01", "00", "00", "0000", fc("00"));
        String header = "00000001" + length(d + d);
        byte[] data = HEX.parseHex(header + d + d);
        // The second descriptor's fixed part is cut off.
        PrData.FullStatus s = PrData.fullStatus(data, 8 + 48 + 10);
        assertEquals(1, s.registrants().size());
        assertEquals("the device has 96 bytes of descriptors, 58 were returned", s.problem());
        // Within the declared length, a descriptor shorter than its fixed part.
        s = fullStatus("00000001" + length(d + "0000") + d + "0000");
        assertEquals(1, s.registrants().size());
        assertEquals("descriptor at byte 56 cut off after 2 bytes", s.problem());
        // A transport ID longer than what is left.
        s = fullStatus("00000001" + length(d) + d.substring(0, 40) + "000000ff" + d.substring(48));
        assertEquals(List.of(), s.registrants());
        assertEquals("descriptor at byte 8 cut off: its transport ID is 255 bytes, 24 are there", s.problem());
        // A length that does not fit in an int.
        s = fullStatus("00000001" + length(d) + d.substring(0, 40) + "ffffffff" + d.substring(48));
        assertEquals("descriptor at byte 8 cut off: its transport ID is 4294967295 bytes, 24 are there", s.problem());
    }

    @Test
    public void fullStatusHugeAdditionalLength() {
        PrData.FullStatus s = fullStatus("00000001" + "ffffffff");
        assertEquals(List.of(), s.registrants());
        assertEquals("the device has 4294967295 bytes of descriptors, 0 were returned", s.problem());
    }

    @Test
    public void fibreChannel() {
        assertEquals("FC 0x21000024ff3c8f20", id(fc("21000024ff3c8f20")));
        // Format 1 is not defined for FC; too short to hold the name.
        String f1 = "40" + fc("21000024ff3c8f20").substring(2);
        assertEquals("protocol 0 format 1 " + f1, id(f1));
        assertEquals("protocol 0 format 0 000000000000000021000024ff3c8f", id("000000000000000021000024ff3c8f"));
    }

    @Test
    public void iscsiDeviceName() {
        assertEquals("iSCSI iqn.1994-05.com.redhat:client1", id(iscsi(0, "iqn.1994-05.com.redhat:client1", 40)));
    }

    @Test
    public void iscsiInitiatorPortName() {
        assertEquals("iSCSI iqn.1994-05.com.redhat:client1,i,0x23d000000001",
                id(iscsi(1, "iqn.1994-05.com.redhat:client1,i,0x23d000000001", 52)));
        assertEquals("iSCSI iqn.2005-03.org.open-iscsi:ab,I,0X23D000000001",
                id(iscsi(1, "iqn.2005-03.org.open-iscsi:ab,I,0X23D000000001", 52)));
    }

    @Test
    public void malformedIscsiNamesShowAsHex() {
        // Format 1 without an ISID, format 0 with one, format 2.
        assertHex(iscsi(1, "iqn.1994-05.com.redhat:client1", 40), 5, 1);
        assertHex(iscsi(1, "iqn.1994-05.com.redhat:client1,i,0x", 40), 5, 1);
        assertHex(iscsi(0, "iqn.1994-05.com.redhat:client1,i,0x23d000000001", 52), 5, 0);
        assertHex("85" + iscsi(0, "iqn.x", 20).substring(2), 5, 2);
        // A length beyond the transport ID, an empty name, a control character, bytes that are not UTF-8.
        assertHex("05000020" + HEX.formatHex("iqn.x".getBytes(UTF_8)) + "000000000000000000000000000000", 5, 0);
        assertHex(iscsi(0, "", 20), 5, 0);
        assertHex(iscsi(0, "iqn.x\u001b[2J", 20), 5, 0);
        assertHex("05000010" + "69716e2eff" + "0000000000000000000000", 5, 0);
        // Too short for the length field.
        assertEquals("protocol 5 format 0 050000", id("050000"));
    }

    @Test
    public void iscsiNameEndsAtItsLengthWithoutNul() {
        assertEquals("iSCSI iqn.abcdefghijklmno", id("05000013" + HEX.formatHex("iqn.abcdefghijklmno".getBytes(UTF_8))));
    }

    @Test
    public void sas() {
        assertEquals("SAS 0x5000c500a1b2c3d4", id(sas("5000c500a1b2c3d4")));
        assertEquals("protocol 6 format 0 060000005000c500a1b2c3", id("060000005000c500a1b2c3"));
        assertEquals("protocol 6 format 1 460000005000c500a1b2c3d4", id("460000005000c500a1b2c3d4"));
    }

    @Test
    public void otherProtocolsAsHex() {
        String srp = "04" + "0".repeat(14) + "0123456789abcdef0123456789abcdef";
        assertEquals("protocol 4 format 0 " + srp, id(srp));
        assertEquals("protocol 15 format 0 0f00", id("0f00"));
        assertEquals("none", id(""));
    }

    @Test
    public void headerFields() {
        byte[] data = HEX.parseHex("8000000a" + "fffffff0" + "ffffffffffffffff");
        assertEquals("0x8000000a", PrData.generation(PrData.uint32(data, 0)));
        assertEquals(0xfffffff0L, PrData.uint32(data, 4));
        assertEquals(-16, PrData.int32(data, 4));
        assertEquals(-1L, PrData.int64(data, 8));
        assertEquals(0x8000, PrData.int16(data, 0));
        assertEquals("LU", PrData.scope(0));
        assertEquals("2", PrData.scope(2));
    }

    @Test
    public void reservationTypes() {
        assertEquals(ReservationType.WR_EX_RO, PrOutRequest.parseType("5"));
        assertEquals(ReservationType.WR_EX_RO, PrOutRequest.parseType("wr_ex_ro"));
        assertEquals(ReservationType.WR_EX_RO, PrOutRequest.parseType(" WR_EX_RO "));
        assertEquals(ReservationType.WR_EX_RO, PrOutRequest.parseType("write-exclusive-registrants-only"));
        for (ReservationType t : ReservationType.values()) {
            assertEquals(t, PrOutRequest.parseType(Integer.toString(t.code())));
            assertEquals(t, PrOutRequest.parseType(t.name().toLowerCase()));
            assertEquals(t, ReservationType.of(t.code()));
        }
        assertEquals(List.of(1, 3, 5, 6, 7, 8), List.of(ReservationType.values()).stream().map(ReservationType::code).toList());
        assertEquals(List.of(ReservationType.values()).stream().map(t -> t.code() + " " + t.name().toLowerCase())
                .collect(Collectors.joining(", ")), PrOutRequest.TYPE_CODES);
        for (String bad : new String[] {"0", "2", "4", "9", "wr", "", "05"}) {
            assertEquals("unknown reservation type " + bad + " (" + PrOutRequest.TYPE_CODES + ")",
                    assertThrows(IllegalArgumentException.class, () -> PrOutRequest.parseType(bad)).getMessage());
        }
        assertNull(ReservationType.of(2));
        assertEquals("1 write-exclusive", Format.type(1));
        assertEquals("3 exclusive-access", Format.type(3));
        assertEquals("6 exclusive-access-registrants-only", Format.type(6));
        assertEquals("7 write-exclusive-all-registrants", Format.type(7));
        assertEquals("8 exclusive-access-all-registrants", Format.type(8));
        assertEquals("0", Format.type(0));
        assertEquals("15", Format.type(15));
    }

    private static PrData.Capabilities capabilities(String hex) {
        byte[] data = HEX.parseHex(hex);
        return PrData.capabilities(data, data.length);
    }

    /** RLR_C, CRH, SIP_C, ATP_C, PTPL_C. */
    private static List<Boolean> flags(boolean rlrC, boolean crh, boolean sipC, boolean atpC, boolean ptplC) {
        return List.of(rlrC, crh, sipC, atpC, ptplC);
    }

    private static List<Boolean> flags(PrData.Capabilities c) {
        return flags(c.rlrC(), c.crh(), c.sipC(), c.atpC(), c.ptplC());
    }

    private static PrData.FullStatus fullStatus(String hex) {
        byte[] data = HEX.parseHex(hex);
        return PrData.fullStatus(data, data.length);
    }

    private static String one(String descriptor) {
        return "00000001" + length(descriptor) + descriptor;
    }

    /** A full status descriptor: key (padded to 8 bytes), byte 12, scope/type, relative port, transport ID. */
    private static String descriptor(String key, String flags, String scopeType, String port, String transportId) {
        return String.format("%16s", key).replace(' ', '0') + "00000000" + flags + scopeType + "00000000" + port
                + length(transportId) + transportId;
    }

    private static String length(String hex) {
        return String.format("%08x", hex.length() / 2);
    }

    private static String fc(String name) {
        return String.format("%-48s", "00" + "0".repeat(14) + name).replace(' ', '0');
    }

    private static String sas(String address) {
        return "06000000" + address + "0".repeat(24);
    }

    /** An iSCSI transport ID of {@code size} bytes with its name NUL-padded. */
    private static String iscsi(int format, String name, int size) {
        byte[] id = new byte[size];
        id[0] = (byte) (format << 6 | 5);
        id[3] = (byte) (size - 4);
        byte[] n = name.getBytes(UTF_8);
        System.arraycopy(n, 0, id, 4, n.length);
        return HEX.formatHex(id);
    }

    private static String id(String hex) {
        byte[] data = HEX.parseHex("ff" + hex + "ff");
        return PrData.transportId(data, 1, data.length - 2);
    }

    private static void assertHex(String hex, int protocol, int format) {
        assertEquals("protocol " + protocol + " format " + format + " " + hex, id(hex));
    }
}
