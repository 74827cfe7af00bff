package org.prhelper.shell;

import java.io.IOException;
import java.io.RandomAccessFile;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.newsclub.net.unix.DescriptorNumbers;
import org.prhelper.api.PrCommands;
import org.prhelper.api.PrHandler;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/**
 * A PERSISTENT RESERVE command on a device named on the command line, run through the dispatcher like
 * a QEMU request (same backends, same answers). A reply other than GOOD fails the command with the
 * status and sense.
 */
abstract class DeviceCommand implements Action {
    private static final String[] SENSE_KEYS = {
        "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR", "ILLEGAL REQUEST",
        "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
        "0x0c", "VOLUME OVERFLOW", "MISCOMPARE", "0x0f",
    };

    @Argument(name = "device", description = "The device, e.g. /dev/sdb or /dev/mapper/mpatha", required = true)
    @Completion(FileCompleter.class)
    String device;

    @Reference
    PrHandler handler;

    /**
     * A request with its opcode, service action and transfer length. PR IN's allocation length is CDB
     * bytes 7..8; PR OUT's parameter list length is bytes 5..8, of which the pr-helper protocol and
     * {@link PrRequest#transferLength()} read only 7..8. Lengths here are at most 8192, so bytes 5..6
     * stay 0 and the device and every peer read the same value.
     */
    static PrRequest request(int opcode, int serviceAction, int length) {
        PrRequest request = new PrRequest();
        byte[] cdb = request.cdb();
        cdb[0] = (byte) opcode;
        cdb[1] = (byte) serviceAction;
        cdb[7] = (byte) (length >> 8);
        cdb[8] = (byte) length;
        return request;
    }

    /**
     * Runs {@code request} on the device, opened read-only: enough for PR IN, as for QEMU's own
     * descriptors.
     *
     * @return the response, GOOD
     * @throws CommandException when the device cannot be opened or the reply is not GOOD
     */
    PrResponse run(PrRequest request) throws CommandException {
        PrResponse response = new PrResponse();
        response.reset();
        try (RandomAccessFile file = new RandomAccessFile(device, "r")) {
            int fd = DescriptorNumbers.of(file.getFD());
            request.device(() -> fd);
            handler.handle(request, response);
        } catch (IOException e) {
            throw new CommandException("Cannot open " + device + ": " + e.getMessage(), e);
        } finally {
            request.device(null);
        }
        if (response.status() != ScsiStatus.GOOD) {
            throw new CommandException(PrCommands.name(request.opcode(), request.serviceAction()) + " on " + device
                    + " failed: " + ScsiStatus.name(response.status()) + describeSense(response.sense())
                    + (response.backend() == null ? "" : " (backend " + response.backend() + ")"));
        }
        return response;
    }

    /** The key, ASC and ASCQ of fixed or descriptor format sense; null without sense. */
    static SenseCode sense(byte[] sense) {
        int format = sense[0] & 0x7F;
        if (format == 0x70 || format == 0x71) {
            return new SenseCode(sense[2] & 0x0F, sense[12] & 0xFF, sense[13] & 0xFF);
        }
        if (format == 0x72 || format == 0x73) {
            return new SenseCode(sense[1] & 0x0F, sense[2] & 0xFF, sense[3] & 0xFF);
        }
        return null;
    }

    /** ", sense KEY/ASC/ASCQ NAME"; empty without sense. */
    static String describeSense(byte[] sense) {
        SenseCode s = sense(sense);
        return s == null ? "" : ", sense " + Format.sense(s.key(), s.asc(), s.ascq()) + " " + SENSE_KEYS[s.key()];
    }
}
