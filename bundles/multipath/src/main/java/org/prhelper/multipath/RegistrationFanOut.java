package org.prhelper.multipath;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

import org.prhelper.api.PrBackend;
import org.prhelper.api.PrOutAction;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/**
 * REGISTER AND IGNORE EXISTING KEY on a map, sent with SG_IO down every running path at once, as
 * libmpathpersist sends it (a thread per path) but without the library's lock, which covers every
 * map: registrations on different maps run concurrently. Only the plain form is sent this way (one
 * key, no transport IDs, no ALL_TG_PT, no unregistering): the library keeps the others.
 */
final class RegistrationFanOut {
    /** Opens and closes a path's block device for one command. */
    interface Devices {
        /** A descriptor of {@code /dev/name} that SG_IO can send PR commands on, or -1. */
        int open(String name);

        void close(int fd);
    }

    /** The library sends a command to a path again this often after a unit attention or 02/04/07. */
    static final int RETRIES = 5;
    private static final int PARAMETER_LIST = 24;
    private static final int FLAGS = 20;
    private static final int SPEC_I_PT = 0x08;
    private static final int ALL_TG_PT = 0x04;
    static final int APTPL = 0x01;
    private static final SenseCode OPERATION_IN_PROGRESS = new SenseCode(SenseCode.KEY_NOT_READY, 0x04, 0x07);

    private final Devices devices;
    private final Executor executor;

    RegistrationFanOut(Devices devices, Executor executor) {
        this.devices = devices;
        this.executor = executor;
    }

    /**
     * Whether the request is REGISTER AND IGNORE EXISTING KEY with a 24-byte parameter list, a service
     * action key that is not 0, and neither SPEC_I_PT nor ALL_TG_PT. The library would tell multipathd
     * the key before sending it, and refuse nothing of it itself.
     */
    static boolean plainRegisterAndIgnore(PrRequest request) {
        if (request.opcode() != PrRequest.OPCODE_PR_OUT
                || request.serviceAction() != PrOutAction.REGISTER_AND_IGNORE.code()
                || request.parameterLength() != PARAMETER_LIST) {
            return false;
        }
        return (request.parameters()[FLAGS] & (SPEC_I_PT | ALL_TG_PT)) == 0 && serviceActionKey(request) != 0;
    }

    static long serviceActionKey(PrRequest request) {
        long key = 0;
        for (int i = 8; i < 16; i++) {
            key = key << 8 | (request.parameters()[i] & 0xFF);
        }
        return key;
    }

    static boolean persistThroughPowerLoss(PrRequest request) {
        return (request.parameters()[FLAGS] & APTPL) != 0;
    }

    /**
     * Sends the request down every path named (the first on the calling thread, the others on the
     * executor) and waits for all. The response is the first path's, in the order given, that did not
     * answer GOOD, as the library reports the first failed path; GOOD if all did. False, and the
     * response untouched, if no path could be opened: nothing was sent.
     */
    boolean send(List<String> paths, PrBackend handler, PrRequest request, PrResponse response) {
        if (paths.isEmpty()) {
            return false;
        }
        List<PathCommand> commands = new ArrayList<>(paths.size());
        for (String path : paths) {
            commands.add(new PathCommand(path, request));
        }
        List<CompletableFuture<Void>> others = new ArrayList<>(commands.size());
        for (PathCommand command : commands.subList(1, commands.size())) {
            try {
                others.add(CompletableFuture.runAsync(() -> command.run(handler), executor));
            } catch (RejectedExecutionException e) {
                command.run(handler); // the executor is shutting down with the backend: send it here
            }
        }
        commands.get(0).run(handler);
        others.forEach(CompletableFuture::join);
        PathCommand answer = null;
        boolean sent = false;
        for (PathCommand command : commands) {
            sent |= command.opened;
            if (answer == null && command.response.status() != ScsiStatus.GOOD) {
                answer = command;
            }
        }
        if (!sent) {
            return false;
        }
        if (answer == null) {
            response.statusOnly(ScsiStatus.GOOD);
        } else {
            response.statusOnly(answer.response.status());
            System.arraycopy(answer.response.sense(), 0, response.sense(), 0, PrResponse.SENSE_SIZE);
        }
        return true;
    }

    /** The command on one path, with a request and response of its own. */
    private final class PathCommand {
        private final String path;
        private final PrRequest request = new PrRequest();
        private final PrResponse response = new PrResponse();
        private boolean opened;

        PathCommand(String path, PrRequest original) {
            this.path = path;
            request.commandOf(original);
        }

        void run(PrBackend handler) {
            int fd = devices.open(path);
            if (fd < 0) {
                response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
                return;
            }
            opened = true;
            try {
                request.device(() -> fd);
                for (int attempt = 0; attempt <= RETRIES; attempt++) {
                    response.reset();
                    handler.execute(request, response);
                    if (response.status() != ScsiStatus.CHECK_CONDITION) {
                        return;
                    }
                    SenseCode sense = SenseCode.of(response.sense());
                    if (sense.equals(OPERATION_IN_PROGRESS)) {
                        LockSupport.parkNanos(1_000_000); // the library's pause before asking again
                    } else if (sense.key() != SenseCode.KEY_UNIT_ATTENTION) {
                        return;
                    }
                }
            } finally {
                devices.close(fd);
            }
        }
    }
}
