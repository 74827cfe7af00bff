package org.prhelper.shell;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HexFormat;

import org.junit.Test;

/** PR IN data and sense as the device commands show them (SPC-4 layouts). */
public class PrInDecodeTest {
    @Test
    public void readKeysShowsGenerationAndEveryKey() {
        byte[] data = HexFormat.of().parseHex("00000007" + "00000010" + "0000000000001234" + "abcdef0102030405");
        assertEquals("Generation\t0x00000007\nKeys\t2\nKey\t0x0000000000001234\nKey\t0xabcdef0102030405\n",
                decode(new KeysCommand(), data, data.length));
    }

    @Test
    public void readKeysStopsAtTheDataReturned() {
        byte[] data = HexFormat.of().parseHex("00000001" + "00000010" + "0000000000001234" + "abcdef0102030405");
        assertEquals("Generation\t0x00000001\nKeys\t1\nKey\t0x0000000000001234\n",
                decode(new KeysCommand(), data, 16));
    }

    @Test
    public void readReservationShowsHolderScopeAndType() {
        byte[] data = HexFormat.of().parseHex("00000003" + "00000010" + "0000000000001234" + "00000000" + "00" + "05"
                + "0000");
        assertEquals("Generation\t0x00000003\nReservation\theld\nKey\t0x0000000000001234\nScope\tLU\n"
                + "Type\t5 write-exclusive-registrants-only\n", decode(new ReservationCommand(), data, data.length));
    }

    @Test
    public void noReservation() {
        byte[] data = HexFormat.of().parseHex("00000003" + "00000000");
        assertEquals("Generation\t0x00000003\nReservation\tnone\n", decode(new ReservationCommand(), data, 8));
    }

    @Test
    public void capabilitiesShowEveryFieldAndTheTypesByName() {
        byte[] data = HexFormat.of().parseHex("0008" + "1d" + "91" + "ea01" + "0000");
        assertEquals("CRH\tyes\nSIP_C\tyes\nATP_C\tyes\nPTPL_C\tyes\nRLR_C\tno\nTMV\tyes\n"
                + "ALLOW_COMMANDS\t1 TEST UNIT READY allowed under WR_EX and EX_AC\nPTPL_A\tyes\n"
                + "Types\tWR_EX EX_AC WR_EX_RO EX_AC_RO WR_EX_AR EX_AC_AR\n", decode(new CapabilitiesCommand(), data, 8));
    }

    @Test
    public void capabilitiesWithoutTypeMaskOrTooShort() {
        byte[] noMask = HexFormat.of().parseHex("0008" + "00" + "00" + "ea01" + "0000");
        assertTrue(decode(new CapabilitiesCommand(), noMask, 8).endsWith("TMV\tno\nALLOW_COMMANDS\t0 no information\n"
                + "PTPL_A\tno\nTypes\tnot reported (TMV 0)\n"));
        byte[] none = HexFormat.of().parseHex("0008" + "00" + "80" + "0000" + "0000");
        assertTrue(decode(new CapabilitiesCommand(), none, 8).endsWith("Types\tnone\n"));
        assertEquals("Data\t4 bytes, too short for REPORT CAPABILITIES\n", decode(new CapabilitiesCommand(), noMask, 4));
    }

    @Test
    public void fullStatusOneRowPerRegistrant() {
        String holder = "1122334455667788" + "00000000" + "01" + "05" + "00000000" + "0002" + "00000024"
                + "05000020" + HexFormat.of().formatHex("iqn.2003-01.org.linux-iscsi:a".getBytes(UTF_8)) + "000000";
        String other = "0000000000000abc" + "00000000" + "02" + "00" + "00000000" + "0001" + "00000018"
                + "06000000" + "5001438000000001" + "0".repeat(24);
        byte[] data = HexFormat.of().parseHex("0000000c" + String.format("%08x", (holder + other).length() / 2) + holder
                + other);
        assertEquals("0x1122334455667788\tno\tyes\tLU\t5 write-exclusive-registrants-only\t2\t"
                + "iSCSI iqn.2003-01.org.linux-iscsi:a\n"
                + "0x0000000000000abc\tyes\tno\t-\t-\t1\tSAS 0x5001438000000001\n",
                decode(new FullStatusCommand(), data, data.length));
        FullStatusCommand formatted = new FullStatusCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        formatted.print(data, data.length, new PrintStream(out, true, UTF_8));
        String table = out.toString(UTF_8);
        assertTrue(table, table.startsWith("Generation 0x0000000c, 2 registrations" + System.lineSeparator()));
        assertTrue(table, table.contains("Transport ID"));
    }

    @Test
    public void fullStatusEmptyTruncatedOrTooShort() {
        byte[] none = HexFormat.of().parseHex("00000003" + "00000000");
        assertEquals("", decode(new FullStatusCommand(), none, 8));
        assertEquals("Data\t5 bytes, too short for READ FULL STATUS\n", decode(new FullStatusCommand(), none, 5));
        byte[] more = HexFormat.of().parseHex("00000003" + "00000030");
        PrintStream err = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errors, true, UTF_8));
        try {
            assertEquals("", decode(new FullStatusCommand(), more, 8));
        } finally {
            System.setErr(err);
        }
        assertEquals("Data not shown: the device has 48 bytes of descriptors, 0 were returned" + System.lineSeparator(),
                errors.toString(UTF_8));
    }

    @Test
    public void senseInBothFormats() {
        byte[] fixed = new byte[96];
        fixed[0] = 0x70;
        fixed[2] = 0x05;
        fixed[12] = 0x24;
        assertEquals(", sense 5/24/00 ILLEGAL REQUEST", DeviceCommand.describeSense(fixed));
        byte[] descriptor = new byte[96];
        descriptor[0] = 0x72;
        descriptor[1] = 0x06;
        descriptor[2] = 0x29;
        descriptor[3] = 0x07;
        assertEquals(", sense 6/29/07 UNIT ATTENTION", DeviceCommand.describeSense(descriptor));
        assertEquals("", DeviceCommand.describeSense(new byte[96]));
    }

    @Test
    public void readKeysAsJson() {
        byte[] data = HexFormat.of().parseHex("fffffffe" + "00000010" + "0000000000001234" + "abcdef0102030405");
        assertEquals("{\"generation\":4294967294,\"keys\":[\"0x0000000000001234\",\"0xabcdef0102030405\"]}",
                Json.write(new KeysCommand().toJson(data, data.length)));
        assertEquals("{\"problem\":\"7 bytes, too short for READ KEYS\"}", Json.write(new KeysCommand().toJson(data, 7)));
    }

    @Test
    public void readReservationAsJson() {
        byte[] held = HexFormat.of().parseHex("00000003" + "00000010" + "0000000000001234" + "00000000" + "00" + "05"
                + "0000");
        assertEquals("{\"generation\":3,\"reservation\":{\"key\":\"0x0000000000001234\",\"scope\":\"LU\",\"type\":5,"
                + "\"typeName\":\"write-exclusive-registrants-only\"}}",
                Json.write(new ReservationCommand().toJson(held, held.length)));
        // An obsolete type code has no name.
        held[21] = 0x02;
        assertTrue(Json.write(new ReservationCommand().toJson(held, held.length)).endsWith("\"type\":2,\"typeName\":null}}"));
        assertEquals("{\"generation\":3,\"reservation\":null}", Json.write(new ReservationCommand().toJson(held, 8)));
    }

    @Test
    public void capabilitiesAsJson() {
        byte[] data = HexFormat.of().parseHex("0008" + "1d" + "91" + "ea01" + "0000");
        assertEquals("{\"crh\":true,\"sipC\":true,\"atpC\":true,\"ptplC\":true,\"rlrC\":false,\"tmv\":true,"
                + "\"allowCommands\":1,\"ptplA\":true,\"types\":[\"WR_EX\",\"EX_AC\",\"WR_EX_RO\",\"EX_AC_RO\","
                + "\"WR_EX_AR\",\"EX_AC_AR\"]}", Json.write(new CapabilitiesCommand().toJson(data, 8)));
        byte[] noMask = HexFormat.of().parseHex("0008" + "00" + "00" + "ea01" + "0000");
        assertTrue(Json.write(new CapabilitiesCommand().toJson(noMask, 8)).endsWith("\"types\":null}"));
    }

    @Test
    public void fullStatusAsJson() {
        String holder = "1122334455667788" + "00000000" + "01" + "05" + "00000000" + "0002" + "00000018"
                + "06000000" + "5001438000000002" + "0".repeat(24);
        String other = "0000000000000abc" + "00000000" + "02" + "00" + "00000000" + "0001" + "00000018"
                + "06000000" + "5001438000000001" + "0".repeat(24);
        // The device has a third descriptor that did not fit.
        byte[] data = HexFormat.of().parseHex("0000000c" + String.format("%08x", (holder + other).length() / 2 + 48)
                + holder + other);
        assertEquals("{\"generation\":12,\"registrants\":["
                + "{\"key\":\"0x1122334455667788\",\"allTargetPorts\":false,\"holder\":true,\"scope\":\"LU\",\"type\":5,"
                + "\"typeName\":\"write-exclusive-registrants-only\",\"relativeTargetPort\":2,"
                + "\"transportId\":\"SAS 0x5001438000000002\"},"
                + "{\"key\":\"0x0000000000000abc\",\"allTargetPorts\":true,\"holder\":false,\"scope\":null,\"type\":null,"
                + "\"typeName\":null,\"relativeTargetPort\":1,\"transportId\":\"SAS 0x5001438000000001\"}],"
                + "\"problem\":\"the device has 144 bytes of descriptors, 96 were returned\"}",
                Json.write(new FullStatusCommand().toJson(data, data.length)));
        assertEquals("{\"problem\":\"5 bytes, too short for READ FULL STATUS\"}",
                Json.write(new FullStatusCommand().toJson(data, 5)));
    }

    private static String decode(PrInCommand command, byte[] data, int length) {
        command.noFormat = true;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        command.print(data, length, new PrintStream(out, true, UTF_8));
        // Without format ShellTable still pads cells to the column's width.
        return out.toString(UTF_8).replace(System.lineSeparator(), "\n").replaceAll(" *\t *", "\t").replaceAll(" +\n", "\n");
    }
}
