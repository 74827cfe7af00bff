package org.prhelper.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "pr", name = "keys", description = "Reads the reservation keys registered on a device (PR IN READ KEYS).")
@Service
public class KeysCommand extends PrInCommand {
    @Override
    int serviceAction() {
        return 0;
    }

    /** PR generation (4 bytes), additional length (4), then 8 bytes per key; SPC-4 6.16.2. */
    @Override
    void decode(byte[] data, int length, ShellTable table) {
        if (length < 8) {
            table.addRow().addContent("Data", length + " bytes, too short for READ KEYS");
            return;
        }
        table.addRow().addContent("Generation", generation(data));
        int end = Math.min(length, 8 + int32(data, 4));
        table.addRow().addContent("Keys", (end - 8) / 8);
        for (int offset = 8; offset + 8 <= end; offset += 8) {
            table.addRow().addContent("Key", Format.key(int64(data, offset)));
        }
    }
}
