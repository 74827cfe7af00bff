package org.prhelper.shell;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.ClientInfo;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "clients", description = "Lists the clients connected to the agent's sockets.")
@Service
public class ClientsCommand extends ReadCommand {
    @Option(name = "--socket", description = "Only the clients of this socket")
    @Completion(SocketNameCompleter.class)
    String socket;

    @Reference
    SocketDirectory directory;

    @Override
    public Object execute() throws CommandException {
        List<SocketInfo> sockets = directory.sockets();
        // A typo must fail, not print an empty table that reads as "nobody connected".
        if (socket != null && sockets.stream().noneMatch(s -> s.name().equals(socket))) {
            throw new CommandException(SocketNameCompleter.unknown(socket, sockets));
        }
        List<Object> out = new ArrayList<>();
        ShellTable table = new ShellTable().emptyTableText("no clients connected");
        table.column("Socket");
        table.column("Client");
        table.column("PID").alignRight();
        table.column("UID").alignRight();
        table.column("VM");
        table.column("Connected since");
        table.column("Requests").alignRight();
        table.column("Last command");
        // How long the request being executed has run: one of many seconds is a device that does not answer.
        table.column("Running").alignRight();
        Instant now = Instant.now();
        for (SocketInfo s : sockets) {
            if (socket != null && !socket.equals(s.name())) {
                continue;
            }
            for (ClientInfo c : s.clients()) {
                if (json) {
                    out.add(Json.object("socket", s.name(), "client", c.id(), "pid", Format.known(c.peer().pid()),
                            "uid", Format.known(c.peer().uid()), "gid", Format.known(c.peer().gid()),
                            "vm", c.peer().vmName(), "connectedSince", Format.iso(c.connectedSince()),
                            "requests", c.requests(), "lastCommand", c.lastCommand(),
                            "requestSince", Format.iso(c.requestSince())));
                } else {
                    table.addRow().addContent(s.name(), c.id(), Format.id(c.peer().pid()), Format.id(c.peer().uid()),
                            Format.text(c.peer().vmName()), Format.seconds(c.connectedSince()), c.requests(),
                            Format.text(c.lastCommand()), running(c.requestSince(), now));
                }
            }
        }
        if (json) {
            printJson(out);
        } else {
            print(table);
        }
        return null;
    }

    private static String running(Instant since, Instant now) {
        return since == null ? "-" : String.format("%.1f s", Duration.between(since, now).toMillis() / 1000.0);
    }
}
