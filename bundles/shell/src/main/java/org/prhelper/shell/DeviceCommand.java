package org.prhelper.shell;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.ShellUtil;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrCommands;
import org.prhelper.api.PrDevice;
import org.prhelper.api.PrHandler;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.unixsocket.Fds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PERSISTENT RESERVE command on a device named on the command line, run through the dispatcher like
 * a QEMU request (same backends, same answers). A reply other than GOOD fails the command with the
 * status and sense. PR OUT requests change the device, so they are audited as socket requests are,
 * on the socket name {@value #AUDIT_SOCKET}, with the Karaf user who sent them.
 */
abstract class DeviceCommand implements Action {
    private static final String AUDIT_SOCKET = "shell";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceCommand.class);

    @Argument(name = "device", description = "The device, e.g. /dev/sdb or /dev/mapper/mpatha", required = true)
    @Completion(FileCompleter.class)
    String device;

    @Reference
    PrHandler handler;

    // Optional as for the transport: without them requests still run, unaudited or with an unknown device.
    @Reference(optional = true)
    List<AuditSink> audit;

    @Reference(optional = true)
    DeviceInspector inspector;

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
     * Runs {@code request} on the device, opened read-write for PR OUT (the dispatcher refuses PR OUT
     * on a read-only descriptor, as it does for QEMU) and read-only for PR IN.
     *
     * @return the response, GOOD
     * @throws CommandException when the device cannot be opened or the reply is not GOOD
     */
    PrResponse run(PrRequest request) throws CommandException {
        boolean out = request.isOut();
        // Opening read-write would create a missing path as a plain file: a typo must not leave one in /dev.
        if (!Files.exists(Path.of(device))) {
            throw new CommandException("Cannot open " + device + ": no such file or device");
        }
        PrResponse response = new PrResponse();
        response.reset();
        try (RandomAccessFile file = new RandomAccessFile(device, out ? "rw" : "r")) {
            int fd = Fds.number(file.getFD());
            PrDevice descriptor = () -> fd;
            request.device(descriptor);
            long start = System.nanoTime();
            handler.handle(request, response);
            if (out) {
                audit(request, response, descriptor, System.nanoTime() - start);
            }
        } catch (IOException e) {
            throw new CommandException("Cannot open " + device + ": " + e.getMessage(), e);
        } finally {
            request.device(null);
        }
        String name = PrCommands.name(request.opcode(), request.serviceAction());
        if (out) {
            // Also in karaf.log, for a Karaf without the audit trail.
            LOG.info("{} on {} by shell user {}: {}", name, device, Format.text(ShellUtil.getCurrentUserName()),
                    ScsiStatus.name(response.status()));
        }
        if (response.status() != ScsiStatus.GOOD) {
            throw new CommandException(name + " on " + device + " failed: " + ScsiStatus.name(response.status())
                    + describeSense(response.sense())
                    + (response.backend() == null ? "" : " (backend " + response.backend() + ")"));
        }
        return response;
    }

    private void audit(PrRequest request, PrResponse response, PrDevice descriptor, long nanos) {
        List<AuditSink> sinks = audit;
        if (sinks == null || sinks.isEmpty()) {
            return;
        }
        DeviceInspector identify = inspector;
        DeviceIdentity identity = identify == null ? DeviceIdentity.UNKNOWN : identify.identify(descriptor);
        // The JAAS user of the session (ssh, local console): who changed the device.
        AuditRecord record = AuditRecord.of(Instant.now(), AUDIT_SOCKET, thisProcess(), identity, request, response,
                "allow", nanos).withUser(ShellUtil.getCurrentUserName());
        for (AuditSink sink : sinks) {
            try {
                sink.record(record);
            } catch (RuntimeException e) {
                // The command has run: the admin needs its outcome more than the audit's fault.
                LOG.warn("Auditing a request on {} failed", device, e);
            }
        }
    }

    /** The requests come from this process: its credentials, as SO_PEERCRED gives them for a client. */
    private static PeerIdentity thisProcess() {
        Path self = Path.of("/proc/self");
        try {
            return new PeerIdentity(ProcessHandle.current().pid(),
                    ((Number) Files.getAttribute(self, "unix:uid")).longValue(),
                    ((Number) Files.getAttribute(self, "unix:gid")).longValue(), null);
        } catch (IOException | RuntimeException e) {
            return new PeerIdentity(ProcessHandle.current().pid(), -1, -1, null);
        }
    }

    /** ", sense KEY/ASC/ASCQ NAME"; empty without (readable) sense. */
    static String describeSense(byte[] sense) {
        SenseCode s = SenseCode.of(sense);
        return s.equals(SenseCode.NONE) ? ""
                : ", sense " + Format.sense(s.key(), s.asc(), s.ascq()) + " " + SenseCode.keyName(s.key());
    }
}
