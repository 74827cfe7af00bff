package org.prhelper.shell;

import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.prhelper.api.ReservationType;

/** Completes the short names of the reservation types, as --type takes them. */
@Service
public class ReservationTypeCompleter implements Completer {
    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (ReservationType t : ReservationType.values()) {
            names.getStrings().add(t.name().toLowerCase(Locale.ROOT));
        }
        return names.complete(session, commandLine, candidates);
    }
}
