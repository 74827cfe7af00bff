package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "sockets", description = "Lists the sockets the agent serves.")
@Service
public class SocketsCommand implements Action {
    @Option(name = "--no-format", description = "Tab-separated rows without headers, for scripts")
    boolean noFormat;

    @Reference
    SocketDirectory directory;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no sockets configured");
        table.column("Name");
        table.column("Path");
        table.column("Listening");
        table.column("Connections").alignRight();
        table.column("Requests").alignRight();
        for (SocketInfo s : directory.sockets()) {
            table.addRow().addContent(s.name(), Format.text(s.path()), s.listening() ? "yes" : "no",
                    s.connections(), s.requests());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
