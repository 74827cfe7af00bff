package org.prhelper.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.prhelper.api.PrBackend;
import org.prhelper.api.RequestCounts;
import org.prhelper.api.RequestStatistics;

@Command(scope = "pr", name = "backends", description = "Lists the backends in the order the dispatcher asks them, with their request counts.")
@Service
public class BackendsCommand extends ReadCommand {
    // The services themselves: the table shows their ranking, which the PrBackend interface does not tell.
    @Reference
    BundleContext context;

    // Optional: without the metrics feature the backends are still listed, without counts.
    @Reference(optional = true)
    RequestStatistics statistics;

    @Override
    public Object execute() throws InvalidSyntaxException {
        List<RequestCounts> counts = statistics == null ? List.of() : statistics.snapshot();
        List<ServiceReference<PrBackend>> refs = new ArrayList<>(context.getServiceReferences(PrBackend.class, null));
        // ServiceReference orders by ranking then age, the dispatcher's order: highest first.
        refs.sort((a, b) -> b.compareTo(a));
        ShellTable table = new ShellTable().emptyTableText("no backend: requests are answered ABORTED COMMAND");
        table.column("Name");
        table.column("Ranking").alignRight();
        table.column("Requests").alignRight();
        table.column("Errors").alignRight();
        List<Object> out = new ArrayList<>();
        for (ServiceReference<PrBackend> ref : refs) {
            PrBackend backend = context.getService(ref);
            if (backend == null) {
                continue; // gone since the lookup
            }
            try {
                String name = backend.name();
                RequestCounts c = backendCounts(counts, name);
                // Without the metrics feature the counts are unknown, not zero.
                Long requests = statistics == null ? null : c == null ? 0 : c.requests();
                Long errors = statistics == null ? null : c == null ? 0 : c.errors();
                int ranking = ranking(ref.getProperty("service.ranking"));
                out.add(Json.object("name", name, "ranking", ranking, "requests", requests, "errors", errors));
                table.addRow().addContent(name, ranking, requests == null ? "-" : requests,
                        errors == null ? "-" : errors);
            } finally {
                context.ungetService(ref);
            }
        }
        if (json) {
            printJson(out);
        } else {
            print(table);
        }
        return null;
    }

    private static RequestCounts backendCounts(Collection<RequestCounts> counts, String name) {
        return counts.stream().filter(c -> c.scope() == RequestCounts.Scope.BACKEND && c.name().equals(name))
                .findFirst().orElse(null);
    }

    /** Services without the property rank 0, as OSGi orders them. */
    private static int ranking(Object property) {
        return property instanceof Integer i ? i : 0;
    }
}
