package org.prhelper.multipath;

import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.api.SenseProbe;

/** libmpathpersist's return codes ({@code MPATH_PR_*}) as SCSI status and sense. */
final class MpathResults {
    static final int SUCCESS = 0;
    static final int SYNTAX_ERROR = 1;
    static final int SENSE_NOT_READY = 2;
    static final int SENSE_MEDIUM_ERROR = 3;
    static final int SENSE_HARDWARE_ERROR = 4;
    static final int ILLEGAL_REQ = 5;
    static final int SENSE_UNIT_ATTENTION = 6;
    static final int SENSE_INVALID_OP = 7;
    static final int SENSE_ABORTED_COMMAND = 8;
    static final int NO_SENSE = 9;
    static final int RESERV_CONFLICT = 11;

    static final SenseCode NOT_READY = new SenseCode(SenseCode.KEY_NOT_READY, 0x04, 0x00);
    static final SenseCode ABORTED = new SenseCode(SenseCode.KEY_ABORTED_COMMAND, 0x00, 0x00);
    static final SenseCode NO_SENSE_CODE = new SenseCode(0x00, 0x00, 0x00);
    /** What qemu-pr-helper answers for a unit attention the library swallowed: bus reset occurred. */
    static final SenseCode UNIT_ATTENTION = new SenseCode(SenseCode.KEY_UNIT_ATTENTION, 0x29, 0x02);

    private MpathResults() {
    }

    /**
     * Whether the return code stands for a device error whose real sense the library dropped: then
     * TEST UNIT READY on the map can recover it, and {@link #genericSense} is the fallback.
     */
    static boolean needsProbe(int rc) {
        return rc == SENSE_NOT_READY || rc == SENSE_MEDIUM_ERROR || rc == SENSE_HARDWARE_ERROR
                || rc == SENSE_ABORTED_COMMAND;
    }

    /** A sense of the class the return code names, for when the device itself tells nothing more. */
    static SenseCode genericSense(int rc) {
        return switch (rc) {
            case SENSE_NOT_READY -> NOT_READY;
            case SENSE_MEDIUM_ERROR -> SenseCode.MEDIUM_UNRECOVERED_READ_ERROR;
            case SENSE_HARDWARE_ERROR -> SenseCode.INTERNAL_TARGET_FAILURE;
            default -> ABORTED;
        };
    }

    /** Fills the response for every return code but those that {@link #needsProbe need a probe}. */
    static void map(int rc, PrResponse response) {
        switch (rc) {
            case SUCCESS -> response.status(ScsiStatus.GOOD);
            case SENSE_UNIT_ATTENTION -> response.checkCondition(UNIT_ATTENTION);
            case SENSE_INVALID_OP -> response.checkCondition(SenseCode.INVALID_OPCODE);
            // The library refused the parameters itself, e.g. a key other than the map's configured
            // reservation_key: an error in the client's parameter list, not a communication failure
            // (qemu-pr-helper answers 0B/08/00).
            case SYNTAX_ERROR, ILLEGAL_REQ -> response.checkCondition(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
            case NO_SENSE -> response.checkCondition(NO_SENSE_CODE);
            case RESERV_CONFLICT -> response.statusOnly(ScsiStatus.RESERVATION_CONFLICT);
            default -> response.checkCondition(needsProbe(rc) ? genericSense(rc) : SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }

    /**
     * Fills the response for a failed call: the library's error class, made precise by the device's
     * own sense when TEST UNIT READY on the map ({@code probe}, if there is one) gets a CHECK CONDITION.
     */
    static void fail(int rc, int fd, SenseProbe probe, PrResponse response) {
        if (!needsProbe(rc)) {
            map(rc, response);
            return;
        }
        if (probe != null) {
            probe.testUnitReady(fd, response);
            if (response.status() == ScsiStatus.CHECK_CONDITION) {
                return;
            }
        }
        response.checkCondition(genericSense(rc));
    }
}
