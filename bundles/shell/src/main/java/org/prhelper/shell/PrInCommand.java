package org.prhelper.shell;

import java.io.IOException;
import java.io.RandomAccessFile;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.newsclub.net.unix.FileDescriptorCast;
import org.prhelper.api.PrCommands;
import org.prhelper.api.PrHandler;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;

/**
 * A PERSISTENT RESERVE IN command on a device, run through the dispatcher like a QEMU request (same
 * backends, same answers), and its data shown as a table of properties. A reply other than GOOD fails
 * the command with the status and sense.
 */
abstract class PrInCommand implements Action {
    private static final String[] SENSE_KEYS = {
        "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR", "ILLEGAL REQUEST",
        "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
        "0x0c", "VOLUME OVERFLOW", "MISCOMPARE", "0x0f",
    };

    @Argument(name = "device", description = "The device, e.g. /dev/sdb or /dev/mapper/mpatha", required = true)
    @Completion(FileCompleter.class)
    String device;

    @Option(name = "--no-format", description = "Tab-separated name and value, without headers, for scripts")
    boolean noFormat;

    @Reference
    PrHandler handler;

    /** The PR IN service action. */
    abstract int serviceAction();

    /** Adds the rows that show the command's data, {@code length} bytes of {@code data}. */
    abstract void decode(byte[] data, int length, ShellTable table);

    @Override
    public Object execute() throws Exception {
        PrResponse response = new PrResponse();
        // Read access is enough for PR IN, as for QEMU's own descriptors.
        try (RandomAccessFile file = new RandomAccessFile(device, "r")) {
            int fd = FileDescriptorCast.using(file.getFD()).as(Integer.class);
            PrRequest request = new PrRequest();
            byte[] cdb = request.cdb();
            cdb[0] = (byte) PrRequest.OPCODE_PR_IN;
            cdb[1] = (byte) serviceAction();
            cdb[7] = (byte) (PrRequest.MAX_TRANSFER >> 8);
            cdb[8] = (byte) PrRequest.MAX_TRANSFER;
            request.device(() -> fd);
            response.reset();
            handler.handle(request, response);
        } catch (IOException e) {
            throw new CommandException("Cannot open " + device + ": " + e.getMessage(), e);
        }
        if (response.status() != ScsiStatus.GOOD) {
            throw new CommandException(PrCommands.name(PrRequest.OPCODE_PR_IN, serviceAction()) + " on " + device
                    + " failed: " + ScsiStatus.name(response.status()) + describeSense(response.sense())
                    + (response.backend() == null ? "" : " (backend " + response.backend() + ")"));
        }
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        decode(response.data(), response.dataLength(), table);
        table.print(System.out, !noFormat);
        return null;
    }

    /** ", sense KEY/ASC/ASCQ NAME" from fixed or descriptor format sense; empty without sense. */
    static String describeSense(byte[] sense) {
        int format = sense[0] & 0x7F;
        int key;
        int asc;
        int ascq;
        if (format == 0x70 || format == 0x71) {
            key = sense[2] & 0x0F;
            asc = sense[12] & 0xFF;
            ascq = sense[13] & 0xFF;
        } else if (format == 0x72 || format == 0x73) {
            key = sense[1] & 0x0F;
            asc = sense[2] & 0xFF;
            ascq = sense[3] & 0xFF;
        } else {
            return "";
        }
        return ", sense " + Format.sense(key, asc, ascq) + " " + SENSE_KEYS[key];
    }

    static int int32(byte[] b, int offset) {
        return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16 | (b[offset + 2] & 0xFF) << 8
                | (b[offset + 3] & 0xFF);
    }

    static long int64(byte[] b, int offset) {
        return (long) int32(b, offset) << 32 | (int32(b, offset + 4) & 0xFFFFFFFFL);
    }

    static String generation(byte[] data) {
        return String.format("0x%08x", int32(data, 0));
    }
}
