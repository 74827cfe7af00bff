package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.ClientInfo;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "clients", description = "Lists the clients connected to the agent's sockets.")
@Service
public class ClientsCommand implements Action {
    @Option(name = "--socket", description = "Only the clients of this socket")
    @Completion(SocketNameCompleter.class)
    String socket;

    @Option(name = "--no-format", description = "Tab-separated rows without headers, for scripts")
    boolean noFormat;

    @Reference
    SocketDirectory directory;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no clients connected");
        table.column("Socket");
        table.column("Client");
        table.column("PID").alignRight();
        table.column("UID").alignRight();
        table.column("VM");
        table.column("Connected since");
        table.column("Requests").alignRight();
        table.column("Last command");
        for (SocketInfo s : directory.sockets()) {
            if (socket != null && !socket.equals(s.name())) {
                continue;
            }
            for (ClientInfo c : s.clients()) {
                table.addRow().addContent(s.name(), c.id(), Format.id(c.peer().pid()), Format.id(c.peer().uid()),
                        Format.text(c.peer().vmName()), Format.seconds(c.connectedSince()), c.requests(),
                        Format.text(c.lastCommand()));
            }
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
