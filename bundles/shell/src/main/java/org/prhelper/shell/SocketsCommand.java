package org.prhelper.shell;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

@Command(scope = "pr", name = "sockets", description = "Lists the sockets the agent serves.")
@Service
public class SocketsCommand extends ReadCommand {
    @Reference
    SocketDirectory directory;

    @Override
    public Object execute() {
        List<SocketInfo> sockets = directory.sockets();
        if (json) {
            List<Object> out = new ArrayList<>();
            for (SocketInfo s : sockets) {
                out.add(Json.object("name", s.name(), "path", s.path(), "listening", s.listening(),
                        "connections", s.connections(), "requests", s.requests()));
            }
            printJson(out);
            return null;
        }
        ShellTable table = new ShellTable().emptyTableText("no sockets configured");
        table.column("Name");
        table.column("Path");
        table.column("Listening");
        table.column("Connections").alignRight();
        table.column("Requests").alignRight();
        for (SocketInfo s : sockets) {
            table.addRow().addContent(s.name(), Format.text(s.path()), s.listening() ? "yes" : "no",
                    s.connections(), s.requests());
        }
        print(table);
        return null;
    }
}
