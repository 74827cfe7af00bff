package org.prhelper.shell;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "pr", name = "reservation", description = "Reads the reservation held on a device (PR IN READ RESERVATION).")
@Service
public class ReservationCommand extends PrInCommand {
    @Override
    int serviceAction() {
        return 1;
    }

    /** PR generation (4), additional length (4: 0 or 16), key (8), obsolete (4), reserved, scope|type; SPC-4 6.16.3. */
    @Override
    void print(byte[] data, int length, PrintStream out) {
        ShellTable table = properties();
        if (length < PrData.HEADER_LENGTH) {
            table.addRow().addContent("Data", length + " bytes, too short for READ RESERVATION");
        } else {
            table.addRow().addContent("Generation", PrData.generation(data));
            if (PrData.uint32(data, 4) < 16 || length < 24) {
                table.addRow().addContent("Reservation", "none");
            } else {
                table.addRow().addContent("Reservation", "held");
                table.addRow().addContent("Key", Format.key(PrData.int64(data, 8)));
                table.addRow().addContent("Scope", PrData.scope((data[21] & 0xF0) >> 4));
                table.addRow().addContent("Type", ReservationType.describe(data[21] & 0x0F));
            }
        }
        print(table, out);
    }
}
