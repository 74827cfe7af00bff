package org.prhelper.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.Col;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.prhelper.api.AuditLog;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrCommands;
import org.prhelper.api.PrRequest;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "audit", description = "Shows the most recent requests from the audit trail kept in memory, "
        + "and with --follow those that arrive after them, until Ctrl-C.")
@Service
public class AuditCommand extends ReadCommand {
    /** The socket name of the console's own PR OUT requests. */
    static final String SHELL_SOCKET = "shell";
    /** Records waiting for a slow console; beyond that they are counted as dropped, never block a request. */
    static final int FOLLOW_QUEUE = 10_000;
    private static final int[] STATUSES = {ScsiStatus.GOOD, ScsiStatus.CHECK_CONDITION, ScsiStatus.BUSY,
        ScsiStatus.RESERVATION_CONFLICT, ScsiStatus.TASK_SET_FULL};
    private static final String[] COLUMNS = {"Time", "Socket", "PID", "VM", "Device", "Command", "Decision",
        "Backend", "Status", "Sense", "Latency (us)", "User"};

    @Option(name = "-n", aliases = "--lines", description = "How many records at most (default 20); with --follow, "
            + "how many past records to show first")
    int lines = 20;

    @Option(name = "-f", aliases = "--follow", description = "Keep printing new records as they arrive, until Ctrl-C; "
            + "one line each (one JSON object a line with --json)")
    boolean follow;

    @Option(name = "--socket", description = "Only requests on this socket (shell: the console's own PR OUT commands)")
    @Completion(SocketNameCompleter.class)
    String socket;

    @Option(name = "--vm", description = "Only requests from this VM (name from QEMU's command line)")
    String vm;

    @Option(name = "--device", description = "Only requests for this device: path, MAJ:MIN, WWID or dm uuid")
    String device;

    @Option(name = "--status", description = "Only requests answered with this status: GOOD, CHECK_CONDITION, BUSY, "
            + "RESERVATION_CONFLICT, TASK_SET_FULL or 0xNN")
    @Completion(value = StringsCompleter.class, values = {"GOOD", "CHECK_CONDITION", "BUSY", "RESERVATION_CONFLICT",
        "TASK_SET_FULL"})
    String status;

    @Reference
    AuditLog audit;

    // Only to check --socket: the records of a socket configured no longer still count.
    @Reference(optional = true)
    SocketDirectory directory;

    // --follow registers an AuditSink of its own for as long as it runs.
    @Reference
    BundleContext context;

    /** The --status value as a status byte, -1 for none. */
    private int statusFilter = -1;

    @Override
    public Object execute() throws CommandException {
        if (lines < 0) {
            throw new CommandException("-n must be 0 or more, not " + lines);
        }
        statusFilter = status == null ? -1 : parseStatus(status);
        if (!follow) {
            List<AuditRecord> recent = audit.recent(Integer.MAX_VALUE);
            checkSocket(recent);
            print(last(recent));
            return null;
        }
        BlockingQueue<AuditRecord> arriving = new LinkedBlockingQueue<>(FOLLOW_QUEUE);
        AtomicLong dropped = new AtomicLong();
        // Called on each request's thread after its reply: only a filter and a non-blocking offer.
        AuditSink sink = r -> {
            if (matches(r) && !arriving.offer(r)) {
                dropped.incrementAndGet();
            }
        };
        // Registered before the history is read, so a record lands in one or both (shown once), never in
        // neither, unless it is being handed to the sinks at the very instant of the registration.
        ServiceRegistration<AuditSink> registration = context.registerService(AuditSink.class, sink, null);
        try {
            List<AuditRecord> recent = audit.recent(Integer.MAX_VALUE);
            checkSocket(recent);
            // Only what the history printed: a record in both that -n left out of it is new, and shown live.
            List<AuditRecord> history = last(recent);
            Set<AuditRecord> shown = Collections.newSetFromMap(new IdentityHashMap<>());
            shown.addAll(history);
            if (!json && !noFormat) {
                System.out.println(String.join("\t", COLUMNS));
            }
            for (AuditRecord r : history) {
                printLine(r);
            }
            followUntilInterrupted(arriving, shown, dropped);
        } finally {
            registration.unregister();
        }
        return null;
    }

    /** Prints what arrives; Ctrl-C interrupts this thread, and a closed console ends it too. */
    private void followUntilInterrupted(BlockingQueue<AuditRecord> arriving, Set<AuditRecord> shown, AtomicLong dropped) {
        long reported = 0;
        PrintStream out = System.out;
        try {
            while (!out.checkError()) {
                AuditRecord r = arriving.take();
                // The same record object reaches every sink: one in the history was already printed.
                if (!shown.remove(r)) {
                    printLine(r);
                }
                long lost = dropped.get();
                if (lost > reported) {
                    System.err.println((lost - reported) + " audit records not shown: the console did not keep up");
                    reported = lost;
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            // Ctrl-C: the way a follow ends, so the interrupt is consumed here, as the command's normal end.
        }
    }

    private List<AuditRecord> last(List<AuditRecord> recent) {
        List<AuditRecord> matching = new ArrayList<>();
        for (AuditRecord r : recent) {
            if (matches(r)) {
                matching.add(r);
            }
        }
        return matching.subList(Math.max(0, matching.size() - lines), matching.size());
    }

    private void print(List<AuditRecord> records) {
        if (json) {
            List<Object> out = new ArrayList<>();
            for (AuditRecord r : records) {
                out.add(toJson(r));
            }
            printJson(out);
            return;
        }
        ShellTable table = new ShellTable().emptyTableText("no matching audit records");
        for (String column : COLUMNS) {
            Col col = table.column(column);
            if (column.equals("PID") || column.startsWith("Latency")) {
                col.alignRight();
            }
        }
        for (AuditRecord r : records) {
            table.addRow().addContent(cells(r));
        }
        print(table);
    }

    private void printLine(AuditRecord r) {
        System.out.println(json ? Json.write(toJson(r)) : String.join("\t", cells(r).stream().map(String::valueOf).toList()));
    }

    private static List<Object> cells(AuditRecord r) {
        PeerIdentity peer = peer(r);
        return List.of(Format.millis(r.time()), Format.text(r.socket()), Format.id(peer.pid()),
                Format.text(peer.vmName()), Format.text(device(r).path()),
                PrCommands.name(r.opcode(), r.serviceAction()), Format.text(r.decision()), Format.text(r.backend()),
                statusName(r.status()), Format.sense(r.senseKey(), r.asc(), r.ascq()), r.latencyNanos() / 1000,
                Format.text(r.user()));
    }

    /** One record for scripts: unknown values are null, keys hex strings (64 bits do not fit a JSON number). */
    static Object toJson(AuditRecord r) {
        PeerIdentity peer = peer(r);
        DeviceIdentity d = device(r);
        boolean out = r.opcode() == PrRequest.OPCODE_PR_OUT;
        return Json.object("time", Format.iso(r.time()), "socket", r.socket(), "user", r.user(),
                "pid", Format.known(peer.pid()), "uid", Format.known(peer.uid()), "gid", Format.known(peer.gid()),
                "vm", peer.vmName(), "device", d.path(), "deviceNumbers", d.numbers(), "wwid", d.wwid(),
                "dmUuid", d.dmUuid(), "command", PrCommands.name(r.opcode(), r.serviceAction()),
                "scope", out ? r.scope() : null, "type", out ? r.type() : null,
                "key", out ? Format.key(r.reservationKey()) : null,
                "serviceActionKey", out ? Format.key(r.serviceActionKey()) : null, "decision", r.decision(),
                "backend", r.backend(), "status", statusName(r.status()),
                "sense", Format.sense(r.senseKey(), r.asc(), r.ascq()), "latencyMicros", r.latencyNanos() / 1000);
    }

    private boolean matches(AuditRecord r) {
        DeviceIdentity d = device(r);
        return (socket == null || socket.equals(r.socket()))
                && (vm == null || vm.equals(peer(r).vmName()))
                && (device == null || device.equals(d.path()) || device.equals(d.numbers())
                        || device.equalsIgnoreCase(d.wwid()) || device.equalsIgnoreCase(d.dmUuid()))
                && (statusFilter < 0 || r.status() == statusFilter);
    }

    /** A typo in --socket must fail rather than show nothing, which would read as "no requests". */
    private void checkSocket(List<AuditRecord> recent) throws CommandException {
        if (socket == null || socket.equals(SHELL_SOCKET) || recent.stream().anyMatch(r -> socket.equals(r.socket()))) {
            return;
        }
        List<SocketInfo> sockets = directory == null ? List.of() : directory.sockets();
        if (sockets.stream().noneMatch(s -> s.name().equals(socket))) {
            throw new CommandException(SocketNameCompleter.unknown(socket, sockets) + ", and no audit record names it");
        }
    }

    /** A status name as the audit shows it (any case, space or underscore), or its byte in hex. */
    static int parseStatus(String text) throws CommandException {
        String name = text.trim().replace(' ', '_').toUpperCase(Locale.ROOT);
        for (int s : STATUSES) {
            if (statusName(s).equals(name)) {
                return s;
            }
        }
        if (name.startsWith("0X")) {
            try {
                int value = Integer.parseInt(name.substring(2), 16);
                if (value <= 0xFF) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new CommandException("Unknown status " + text
                + ": GOOD, CHECK_CONDITION, BUSY, RESERVATION_CONFLICT, TASK_SET_FULL or a status byte 0xNN");
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
