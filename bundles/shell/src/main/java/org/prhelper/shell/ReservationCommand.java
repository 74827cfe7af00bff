package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;

@Command(scope = "pr", name = "reservation", description = "Reads the reservation held on a device (PR IN READ RESERVATION).")
@Service
public class ReservationCommand extends PrInCommand {
    @Override
    PrInAction serviceAction() {
        return PrInAction.READ_RESERVATION;
    }

    @Override
    void print(byte[] data, int length, PrintStream out) {
        ShellTable table = properties();
        try {
            PrData.Reservation r = PrData.reservation(data, length);
            table.addRow().addContent("Generation", PrData.generation(r.generation()));
            table.addRow().addContent("Reservation", r.held() ? "held" : "none");
            if (r.held()) {
                table.addRow().addContent("Key", Format.key(r.key()));
                table.addRow().addContent("Scope", PrData.scope(r.scope()));
                table.addRow().addContent("Type", Format.type(r.type()));
            }
        } catch (IllegalArgumentException e) {
            table.addRow().addContent("Data", e.getMessage());
        }
        print(table, out);
    }

    /** {@code reservation} is null when none is held. */
    @Override
    Map<String, Object> toJson(byte[] data, int length) {
        try {
            PrData.Reservation r = PrData.reservation(data, length);
            Map<String, Object> held = null;
            if (r.held()) {
                held = Json.object("key", Format.key(r.key()), "scope", PrData.scope(r.scope()));
                putType(held, r.type());
            }
            return Json.object("generation", r.generation(), "reservation", held);
        } catch (IllegalArgumentException e) {
            return Json.object("problem", e.getMessage());
        }
    }
}
