package org.prhelper.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.RequestCounts;
import org.prhelper.api.RequestStatistics;

@Command(scope = "pr", name = "stats", description = "Shows request counts, results and latency per socket, backend and command.")
@Service
public class StatsCommand extends ReadCommand {
    @Reference
    RequestStatistics statistics;

    @Override
    public Object execute() {
        List<RequestCounts> counts = statistics.snapshot();
        if (json) {
            List<Object> out = new ArrayList<>();
            for (RequestCounts c : counts) {
                out.add(Json.object("scope", scope(c), "name", c.name(), "requests", c.requests(), "good", c.good(),
                        "checkCondition", c.checkCondition(), "reservationConflict", c.reservationConflict(),
                        "busy", c.busy(), "denied", c.denied(), "p50Micros", c.p50Micros(),
                        "p99Micros", c.p99Micros(), "maxMicros", c.maxMicros()));
            }
            printJson(out);
            return null;
        }
        ShellTable table = new ShellTable().emptyTableText("no requests yet");
        table.column("Scope");
        table.column("Name");
        for (String counter : new String[] {"Requests", "Good", "Check", "Conflict", "Busy", "Denied", "p50 us",
                "p99 us", "max us"}) {
            table.column(counter).alignRight();
        }
        for (RequestCounts c : counts) {
            table.addRow().addContent(scope(c), c.name(), c.requests(), c.good(), c.checkCondition(),
                    c.reservationConflict(), c.busy(), c.denied(), c.p50Micros(), c.p99Micros(), c.maxMicros());
        }
        print(table);
        return null;
    }

    private static String scope(RequestCounts c) {
        return c.scope().name().toLowerCase(Locale.ROOT);
    }
}
