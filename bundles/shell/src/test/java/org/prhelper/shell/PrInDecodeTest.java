package org.prhelper.shell;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HexFormat;

import org.apache.karaf.shell.support.table.ShellTable;
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
    public void senseInBothFormats() {
        byte[] fixed = new byte[96];
        fixed[0] = 0x70;
        fixed[2] = 0x05;
        fixed[12] = 0x24;
        assertEquals(", sense 5/24/00 ILLEGAL REQUEST", PrInCommand.describeSense(fixed));
        byte[] descriptor = new byte[96];
        descriptor[0] = 0x72;
        descriptor[1] = 0x06;
        descriptor[2] = 0x29;
        descriptor[3] = 0x07;
        assertEquals(", sense 6/29/07 UNIT ATTENTION", PrInCommand.describeSense(descriptor));
        assertEquals("", PrInCommand.describeSense(new byte[96]));
    }

    private static String decode(PrInCommand command, byte[] data, int length) {
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        command.decode(data, length, table);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        table.print(new PrintStream(out, true, UTF_8), false);
        // Without format ShellTable still pads cells to the column's width.
        return out.toString(UTF_8).replace(System.lineSeparator(), "\n").replaceAll(" +(\t|\n)", "$1");
    }
}
