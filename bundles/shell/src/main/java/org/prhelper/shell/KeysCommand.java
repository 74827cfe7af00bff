package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;

@Command(scope = "pr", name = "keys", description = "Reads the reservation keys registered on a device (PR IN READ KEYS).")
@Service
public class KeysCommand extends PrInCommand {
    @Override
    PrInAction serviceAction() {
        return PrInAction.READ_KEYS;
    }

    @Override
    void print(byte[] data, int length, PrintStream out) {
        ShellTable table = properties();
        try {
            PrData.Keys keys = PrData.keys(data, length);
            table.addRow().addContent("Generation", PrData.generation(keys.generation()));
            table.addRow().addContent("Keys", keys.keys().size());
            for (long key : keys.keys()) {
                table.addRow().addContent("Key", Format.key(key));
            }
        } catch (IllegalArgumentException e) {
            table.addRow().addContent("Data", e.getMessage());
        }
        print(table, out);
    }

    @Override
    Map<String, Object> toJson(byte[] data, int length) {
        try {
            PrData.Keys keys = PrData.keys(data, length);
            return Json.object("generation", keys.generation(),
                    "keys", keys.keys().stream().map(Format::key).toList());
        } catch (IllegalArgumentException e) {
            return Json.object("problem", e.getMessage());
        }
    }
}
