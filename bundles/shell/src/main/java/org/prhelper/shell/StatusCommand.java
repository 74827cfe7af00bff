package org.prhelper.shell;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.prhelper.api.AuditLog;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.PrBackend;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "status", description = "Shows the agent's state: version, uptime, sockets, backends, totals and warnings.")
@Service
public class StatusCommand implements Action {
    @Option(name = "--no-format", description = "Tab-separated name and value, without headers, for scripts")
    boolean noFormat;

    @Reference
    SocketDirectory directory;

    // Optional, so that the status can tell when there is no backend or no audit trail.
    @Reference(optional = true)
    List<PrBackend> backends;

    @Reference(optional = true)
    AuditLog audit;

    @Override
    public Object execute() {
        List<String> warnings = new ArrayList<>();
        List<SocketInfo> sockets = directory.sockets();
        List<String> names = new ArrayList<>();
        int connections = 0;
        long requests = 0;
        for (SocketInfo s : sockets) {
            names.add(s.name() + (s.listening() ? "" : " (not listening)"));
            connections += s.connections();
            requests += s.requests();
            if (!s.listening()) {
                warnings.add("socket " + s.name() + " is not listening");
            }
        }
        if (sockets.isEmpty()) {
            warnings.add("no socket configured");
        }
        // Several instances of one backend (one per configuration) show once.
        TreeSet<String> backendNames = new TreeSet<>();
        if (backends != null) {
            for (PrBackend b : backends) {
                backendNames.add(b.name());
            }
        }
        if (backendNames.isEmpty()) {
            warnings.add("no backend: requests are answered ABORTED COMMAND");
        }

        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        // The transport's bundle, whose component publishes the directory, carries the agent's version.
        Bundle agent = FrameworkUtil.getBundle(directory.getClass());
        table.addRow().addContent("Version", agent == null ? "-" : agent.getVersion().toString());
        table.addRow().addContent("Uptime",
                Format.duration(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime())));
        table.addRow().addContent("Sockets", sockets.size() + (names.isEmpty() ? "" : ": " + String.join(", ", names)));
        table.addRow().addContent("Connections", connections);
        table.addRow().addContent("Requests", requests);
        table.addRow().addContent("Backends", backendNames.isEmpty() ? "none" : String.join(", ", backendNames));
        if (audit == null) {
            warnings.add("no audit trail (feature prhelper-audit)");
        } else {
            List<AuditRecord> recent = audit.recent(Integer.MAX_VALUE);
            long denied = recent.stream().filter(r -> !"allow".equals(r.decision())).count();
            long notGood = recent.stream().filter(r -> r.status() != ScsiStatus.GOOD).count();
            table.addRow().addContent("Audit (in memory)",
                    recent.size() + " requests, " + denied + " denied, " + notGood + " not GOOD");
        }
        for (String w : warnings) {
            table.addRow().addContent("Warning", w);
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
