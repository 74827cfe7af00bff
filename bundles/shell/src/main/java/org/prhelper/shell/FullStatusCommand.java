package org.prhelper.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;

@Command(scope = "pr", name = "full-status", description = "Reads every registration on a device with its holder, target port and initiator (PR IN READ FULL STATUS).")
@Service
public class FullStatusCommand extends PrInCommand<PrData.FullStatus> {
    @Override
    PrInAction serviceAction() {
        return PrInAction.READ_FULL_STATUS;
    }

    /**
     * One row per registrant. The generation heads the formatted table only, so that --no-format gives
     * registrant rows alone; what could not be decoded goes to the error stream.
     */
    @Override
    PrData.FullStatus decode(byte[] data, int length) {
        return PrData.fullStatus(data, length);
    }

    @Override
    void show(PrData.FullStatus status, PrintStream out) {
        ShellTable table = new ShellTable().emptyTableText("no registrations");
        table.column("Key");
        table.column("All TG PT");
        table.column("Holder");
        table.column("Scope");
        table.column("Type");
        table.column("Rel TP ID").alignRight();
        table.column("Transport ID");
        for (PrData.Registrant r : status.registrants()) {
            table.addRow().addContent(Format.key(r.key()), r.allTargetPorts() ? "yes" : "no", r.holder() ? "yes" : "no",
                    r.holder() ? PrData.scope(r.scope()) : "-", r.holder() ? Format.type(r.type()) : "-",
                    r.relativeTargetPort(), r.transportId());
        }
        if (!noFormat) {
            out.println("Generation " + PrData.generation(status.generation()) + ", " + status.registrants().size() + " registrations");
        }
        print(table, out);
        if (status.problem() != null) {
            System.err.println("Data not shown: " + status.problem());
        }
    }

    /** Scope and type are null for a registrant that does not hold the reservation. */
    @Override
    Map<String, Object> json(PrData.FullStatus status) {
        List<Object> registrants = new ArrayList<>();
        for (PrData.Registrant r : status.registrants()) {
            Map<String, Object> registrant = Json.object("key", Format.key(r.key()),
                    "allTargetPorts", r.allTargetPorts(), "holder", r.holder(),
                    "scope", r.holder() ? PrData.scope(r.scope()) : null);
            putType(registrant, r.holder() ? r.type() : null);
            registrant.put("relativeTargetPort", r.relativeTargetPort());
            registrant.put("transportId", r.transportId());
            registrants.add(registrant);
        }
        return Json.object("generation", status.generation(), "registrants", registrants,
                "problem", status.problem());
    }
}
