package org.prhelper.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

/** Completes the names of the configured sockets. */
@Service
public class SocketNameCompleter implements Completer {
    @Reference
    SocketDirectory directory;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (SocketInfo s : directory.sockets()) {
            names.getStrings().add(s.name());
        }
        return names.complete(session, commandLine, candidates);
    }

    /** The error for a socket name that is not configured, naming those that are. */
    static String unknown(String name, List<SocketInfo> sockets) {
        return "No socket named " + name + (sockets.isEmpty() ? "; no socket is configured"
                : "; configured: " + String.join(", ", sockets.stream().map(SocketInfo::name).toList()));
    }
}
