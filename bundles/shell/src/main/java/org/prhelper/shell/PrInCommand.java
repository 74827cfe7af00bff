package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ReservationType;

/** A PERSISTENT RESERVE IN command on a device, its data shown as a table or as JSON. */
abstract class PrInCommand extends DeviceCommand {
    @Option(name = "--no-format", description = ReadCommand.NO_FORMAT_HELP)
    boolean noFormat;

    @Option(name = "--json", description = ReadCommand.JSON_HELP)
    boolean json;

    /** The PR IN service action. */
    abstract PrInAction serviceAction();

    /** Shows {@code length} bytes of {@code data}, what the device returned. */
    abstract void print(byte[] data, int length, PrintStream out);

    /**
     * The fields of the JSON document for that data, after {@code device} and {@code backend}; data
     * that cannot be decoded gives a field {@code problem} saying why.
     */
    abstract Map<String, Object> toJson(byte[] data, int length);

    @Override
    public Object execute() throws Exception {
        // The largest allocation length: the device returns what it has, up to that.
        PrResponse response = run(request(PrRequest.OPCODE_PR_IN, serviceAction().code(), PrRequest.MAX_TRANSFER));
        if (json) {
            Map<String, Object> document = Json.object("device", device, "backend", response.backend());
            document.putAll(toJson(response.data(), response.dataLength()));
            System.out.println(Json.write(document));
        } else {
            print(response.data(), response.dataLength(), System.out);
        }
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

    /** A reservation type for JSON: its code and, for a defined type, the policy name. */
    static void putType(Map<String, Object> object, Integer type) {
        ReservationType t = type == null ? null : ReservationType.of(type);
        object.put("type", type);
        object.put("typeName", t == null ? null : t.policyName());
    }
}
