package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;

@Command(scope = "pr", name = "reservation", description = "Reads the reservation held on a device (PR IN READ RESERVATION).")
@Service
public class ReservationCommand extends PrInCommand<PrData.Reservation> {
    @Override
    PrInAction serviceAction() {
        return PrInAction.READ_RESERVATION;
    }

    @Override
    PrData.Reservation decode(byte[] data, int length) {
        return PrData.reservation(data, length);
    }

    @Override
    void show(PrData.Reservation r, PrintStream out) {
        ShellTable table = properties();
        table.addRow().addContent("Generation", PrData.generation(r.generation()));
        table.addRow().addContent("Reservation", r.held() ? "held" : "none");
        if (r.held()) {
            table.addRow().addContent("Key", Format.key(r.key()));
            table.addRow().addContent("Scope", PrData.scope(r.scope()));
            table.addRow().addContent("Type", Format.type(r.type()));
        }
        print(table, out);
    }

    /** {@code reservation} is null when none is held. */
    @Override
    Map<String, Object> json(PrData.Reservation r) {
        Map<String, Object> held = null;
        if (r.held()) {
            held = Json.object("key", Format.key(r.key()), "scope", PrData.scope(r.scope()));
            putType(held, r.type());
        }
        return Json.object("generation", r.generation(), "reservation", held);
    }
}
