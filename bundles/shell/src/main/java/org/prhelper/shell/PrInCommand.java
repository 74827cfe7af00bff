package org.prhelper.shell;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;

/** A PERSISTENT RESERVE IN command on a device, its data shown as a table. */
abstract class PrInCommand extends DeviceCommand {
    @Option(name = "--no-format", description = "Tab-separated rows without headers, for scripts")
    boolean noFormat;

    /** The PR IN service action. */
    abstract int serviceAction();

    /** Shows {@code length} bytes of {@code data}, what the device returned. */
    abstract void print(byte[] data, int length, PrintStream out);

    @Override
    public Object execute() throws Exception {
        // The largest allocation length: the device returns what it has, up to that.
        PrResponse response = run(request(PrRequest.OPCODE_PR_IN, serviceAction(), PrRequest.MAX_TRANSFER));
        print(response.data(), response.dataLength(), System.out);
        return null;
    }

    /** The table of the commands that show one value per row. */
    static ShellTable properties() {
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        return table;
    }

    void print(ShellTable table, PrintStream out) {
        table.print(out, !noFormat);
    }
}
