package org.prhelper.shell;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.prhelper.api.PrInAction;

@Command(scope = "pr", name = "keys", description = "Reads the reservation keys registered on a device (PR IN READ KEYS).")
@Service
public class KeysCommand extends PrInCommand<PrData.Keys> {
    @Override
    PrInAction serviceAction() {
        return PrInAction.READ_KEYS;
    }

    @Override
    PrData.Keys decode(byte[] data, int length) {
        return PrData.keys(data, length);
    }

    @Override
    void show(PrData.Keys keys, PrintStream out) {
        ShellTable table = properties();
        table.addRow().addContent("Generation", PrData.generation(keys.generation()));
        table.addRow().addContent("Keys", keys.keys().size());
        for (long key : keys.keys()) {
            table.addRow().addContent("Key", Format.key(key));
        }
        print(table, out);
    }

    @Override
    Map<String, Object> json(PrData.Keys keys) {
        return Json.object("generation", keys.generation(), "keys", keys.keys().stream().map(Format::key).toList());
    }
}
