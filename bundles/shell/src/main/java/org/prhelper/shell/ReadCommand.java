package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.table.ShellTable;

/** A command that shows the agent's state: as a table, as tab-separated rows, or as JSON for scripts. */
abstract class ReadCommand implements Action {
    static final String NO_FORMAT_HELP = "Tab-separated rows without headers, for scripts";
    static final String JSON_HELP = "One JSON document on one line instead of the table, for scripts (see docs/shell.md)";

    @Option(name = "--no-format", description = NO_FORMAT_HELP)
    boolean noFormat;

    @Option(name = "--json", description = JSON_HELP)
    boolean json;

    void print(ShellTable table) {
        table.print(System.out, !noFormat);
    }

    static void printJson(Object document) {
        System.out.println(Json.write(document));
    }
}
