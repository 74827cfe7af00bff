package org.prhelper.shell;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.AuditLog;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrCommands;
import org.prhelper.api.ScsiStatus;

@Command(scope = "pr", name = "audit", description = "Shows the most recent requests from the audit trail kept in memory.")
@Service
public class AuditCommand implements Action {
    @Option(name = "-n", aliases = "--lines", description = "How many records at most (default 20)")
    int lines = 20;

    @Option(name = "--socket", description = "Only requests on this socket")
    @Completion(SocketNameCompleter.class)
    String socket;

    @Option(name = "--vm", description = "Only requests from this VM (name from QEMU's command line)")
    String vm;

    @Option(name = "--device", description = "Only requests for this device: path, MAJ:MIN, WWID or dm uuid")
    String device;

    @Option(name = "--status", description = "Only requests answered with this status, e.g. GOOD, CHECK_CONDITION")
    @Completion(value = StringsCompleter.class, values = {"GOOD", "CHECK_CONDITION", "BUSY", "RESERVATION_CONFLICT",
        "TASK_SET_FULL"})
    String status;

    @Option(name = "--no-format", description = "Tab-separated rows without headers, for scripts")
    boolean noFormat;

    @Reference
    AuditLog audit;

    @Override
    public Object execute() {
        List<AuditRecord> matching = new ArrayList<>();
        for (AuditRecord r : audit.recent(Integer.MAX_VALUE)) {
            if (matches(r)) {
                matching.add(r);
            }
        }
        ShellTable table = new ShellTable().emptyTableText("no matching audit records");
        table.column("Time");
        table.column("Socket");
        table.column("PID").alignRight();
        table.column("VM");
        table.column("Device");
        table.column("Command");
        table.column("Decision");
        table.column("Backend");
        table.column("Status");
        table.column("Sense");
        table.column("Latency (us)").alignRight();
        for (AuditRecord r : matching.subList(Math.max(0, matching.size() - Math.max(lines, 0)), matching.size())) {
            PeerIdentity peer = peer(r);
            table.addRow().addContent(Format.millis(r.time()), Format.text(r.socket()), Format.id(peer.pid()),
                    Format.text(peer.vmName()), Format.text(device(r).path()),
                    PrCommands.name(r.opcode(), r.serviceAction()), Format.text(r.decision()),
                    Format.text(r.backend()), statusName(r.status()), Format.sense(r.senseKey(), r.asc(), r.ascq()),
                    r.latencyNanos() / 1000);
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private boolean matches(AuditRecord r) {
        DeviceIdentity d = device(r);
        return (socket == null || socket.equals(r.socket()))
                && (vm == null || vm.equals(peer(r).vmName()))
                && (device == null || device.equals(d.path()) || device.equals(d.numbers())
                        || device.equalsIgnoreCase(d.wwid()) || device.equalsIgnoreCase(d.dmUuid()))
                && (status == null || statusName(r.status()).equalsIgnoreCase(status.replace(' ', '_')));
    }

    /** One token, as in the audit log: RESERVATION_CONFLICT. */
    private static String statusName(int status) {
        return ScsiStatus.name(status).replace(' ', '_');
    }

    private static PeerIdentity peer(AuditRecord r) {
        return r.peer() == null ? PeerIdentity.UNKNOWN : r.peer();
    }

    private static DeviceIdentity device(AuditRecord r) {
        return r.device() == null ? DeviceIdentity.UNKNOWN : r.device();
    }
}
