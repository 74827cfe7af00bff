package org.prhelper.shell;

import java.io.PrintStream;

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
    void print(byte[] data, int length, PrintStream out) {
        ShellTable table = properties();
        if (length < PrData.HEADER_LENGTH) {
            table.addRow().addContent("Data", length + " bytes, too short for READ KEYS");
        } else {
            table.addRow().addContent("Generation", PrData.generation(data));
            long end = Math.min(length, PrData.HEADER_LENGTH + PrData.uint32(data, 4));
            table.addRow().addContent("Keys", (end - PrData.HEADER_LENGTH) / 8);
            for (int offset = PrData.HEADER_LENGTH; offset + 8 <= end; offset += 8) {
                table.addRow().addContent("Key", Format.key(PrData.int64(data, offset)));
            }
        }
        print(table, out);
    }
}
