package org.prhelper.shell;

import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.RequestCounts;
import org.prhelper.api.RequestStatistics;

@Command(scope = "pr", name = "stats", description = "Shows request counts, results and latency per socket, backend and command.")
@Service
public class StatsCommand implements Action {
    @Option(name = "--no-format", description = "Tab-separated rows without headers, for scripts")
    boolean noFormat;

    @Reference
    RequestStatistics statistics;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no requests yet");
        table.column("Scope");
        table.column("Name");
        for (String counter : new String[] {"Requests", "Good", "Check", "Conflict", "Busy", "Denied", "p50 us",
                "p99 us", "max us"}) {
            table.column(counter).alignRight();
        }
        for (RequestCounts c : statistics.snapshot()) {
            table.addRow().addContent(c.scope().name().toLowerCase(Locale.ROOT), c.name(), c.requests(), c.good(),
                    c.checkCondition(), c.reservationConflict(), c.busy(), c.denied(), c.p50Micros(),
                    c.p99Micros(), c.maxMicros());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
