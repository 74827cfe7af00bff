package org.prhelper.shell;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.prhelper.api.AgentWarnings;
import org.prhelper.api.AuditLog;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.PrBackend;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "status", description = "Shows the agent's state: version, uptime, sockets, backends, totals and warnings.")
@Service
public class StatusCommand extends ReadCommand {
    @Reference
    SocketDirectory directory;

    // Optional, so that the status can tell when there is no backend or no audit trail.
    @Reference(optional = true)
    List<PrBackend> backends;

    @Reference(optional = true)
    AuditLog audit;

    // What the components found wrong in the setup (e.g. a multipath map without reservation_key).
    @Reference(optional = true)
    List<AgentWarnings> agentWarnings;

    @Override
    public Object execute() {
        List<String> warnings = new ArrayList<>();
        List<SocketInfo> sockets = directory.sockets();
        List<String> names = new ArrayList<>();
        List<Object> socketsJson = new ArrayList<>();
        int connections = 0;
        long requests = 0;
        for (SocketInfo s : sockets) {
            names.add(s.name() + (s.listening() ? "" : " (not listening)"));
            socketsJson.add(Json.object("name", s.name(), "listening", s.listening()));
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
        // The transport's bundle, whose component publishes the directory, carries the agent's version.
        Bundle agent = FrameworkUtil.getBundle(directory.getClass());
        String version = agent == null ? null : agent.getVersion().toString();
        Duration uptime = Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime());
        long records = 0;
        long denied = 0;
        long notGood = 0;
        if (audit == null) {
            warnings.add("no audit trail (feature prhelper-audit)");
        } else {
            List<AuditRecord> recent = audit.recent(Integer.MAX_VALUE);
            records = recent.size();
            denied = recent.stream().filter(r -> !"allow".equals(r.decision())).count();
            notGood = recent.stream().filter(r -> r.status() != ScsiStatus.GOOD).count();
        }
        if (agentWarnings != null) {
            for (AgentWarnings w : agentWarnings) {
                warnings.addAll(w.warnings());
            }
        }

        if (json) {
            printJson(Json.object("version", version, "uptimeSeconds", uptime.toSeconds(), "sockets", socketsJson,
                    "connections", connections, "requests", requests, "backends", List.copyOf(backendNames),
                    "audit", audit == null ? null : Json.object("records", records, "denied", denied, "notGood", notGood),
                    "warnings", warnings));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        table.addRow().addContent("Version", Format.text(version));
        table.addRow().addContent("Uptime", Format.duration(uptime));
        table.addRow().addContent("Sockets", sockets.size() + (names.isEmpty() ? "" : ": " + String.join(", ", names)));
        table.addRow().addContent("Connections", connections);
        table.addRow().addContent("Requests", requests);
        table.addRow().addContent("Backends", backendNames.isEmpty() ? "none" : String.join(", ", backendNames));
        if (audit != null) {
            table.addRow().addContent("Audit (in memory)",
                    records + " requests, " + denied + " denied, " + notGood + " not GOOD");
        }
        for (String w : warnings) {
            table.addRow().addContent("Warning", w);
        }
        print(table);
        return null;
    }
}
