package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "pr", name = "reservation", description = "Reads the reservation held on a device (PR IN READ RESERVATION).")
@Service
public class ReservationCommand extends PrInCommand {
    /** Reservation types by number, as the socket policy names them. */
    private static final String[] TYPES = {
        null, "write-exclusive", null, "exclusive-access", null, "write-exclusive-registrants-only",
        "exclusive-access-registrants-only", "write-exclusive-all-registrants", "exclusive-access-all-registrants",
    };

    @Override
    int serviceAction() {
        return 1;
    }

    /** PR generation (4), additional length (4: 0 or 16), key (8), obsolete (4), reserved, scope|type; SPC-4 6.16.3. */
    @Override
    void decode(byte[] data, int length, ShellTable table) {
        if (length < 8) {
            table.addRow().addContent("Data", length + " bytes, too short for READ RESERVATION");
            return;
        }
        table.addRow().addContent("Generation", generation(data));
        if (int32(data, 4) < 16 || length < 24) {
            table.addRow().addContent("Reservation", "none");
            return;
        }
        int scope = (data[21] & 0xF0) >> 4;
        int type = data[21] & 0x0F;
        table.addRow().addContent("Reservation", "held");
        table.addRow().addContent("Key", Format.key(int64(data, 8)));
        table.addRow().addContent("Scope", scope == 0 ? "LU" : Integer.toString(scope));
        table.addRow().addContent("Type", type < TYPES.length && TYPES[type] != null ? type + " " + TYPES[type]
                : Integer.toString(type));
    }
}
