package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ReservationType;

/**
 * A PERSISTENT RESERVE IN command on a device, its data decoded into a {@code T} and shown as a table
 * or as JSON; data that cannot be decoded is shown as one row, or a JSON field, saying why.
 */
abstract class PrInCommand<T> extends DeviceCommand {
    @Option(name = "--no-format", description = ReadCommand.NO_FORMAT_HELP)
    boolean noFormat;

    @Option(name = "--json", description = ReadCommand.JSON_HELP)
    boolean json;

    /** The PR IN service action. */
    abstract PrInAction serviceAction();

    /**
     * The {@code length} bytes of {@code data} the device returned, decoded.
     *
     * @throws IllegalArgumentException saying why they cannot be
     */
    abstract T decode(byte[] data, int length);

    abstract void show(T decoded, PrintStream out);

    /** The fields of the JSON document, after {@code device} and {@code backend}. */
    abstract Map<String, Object> json(T decoded);

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

    final void print(byte[] data, int length, PrintStream out) {
        T decoded;
        try {
            decoded = decode(data, length);
        } catch (IllegalArgumentException e) {
            ShellTable table = properties();
            table.addRow().addContent("Data", e.getMessage());
            print(table, out);
            return;
        }
        show(decoded, out);
    }

    final Map<String, Object> toJson(byte[] data, int length) {
        T decoded;
        try {
            decoded = decode(data, length);
        } catch (IllegalArgumentException e) {
            return Json.object("problem", e.getMessage());
        }
        return json(decoded);
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
