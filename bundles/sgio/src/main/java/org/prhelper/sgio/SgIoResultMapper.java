package org.prhelper.sgio;

import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/**
 * Turns the outcome of one SG_IO ioctl into the reply's status, sense and data length, checked in the
 * order qemu-pr-helper (QEMU 6.0 and later) uses: ioctl errno, host_status, driver_status, then the
 * device's own status and sense. Clients and guests already cope with exactly these answers.
 */
final class SgIoResultMapper {
    // Linux errno values of asm-generic (x86-64, arm64 and most others; alpha, mips, parisc, sparc differ).
    private static final int ENOMEM = 12;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int EDOM = 33;
    private static final int EBADE = 52;
    private static final int ENODATA = 61;
    private static final int EREMOTEIO = 121;
    private static final int ENOMEDIUM = 123;

    // Linux host_status (DID_*) values that have a mapping.
    private static final int DID_OK = 0x00;
    private static final int DID_NO_CONNECT = 0x01;
    private static final int DID_BUS_BUSY = 0x02;
    private static final int DID_TIME_OUT = 0x03;
    private static final int DID_BAD_TARGET = 0x04;
    private static final int DID_ABORT = 0x05;
    private static final int DID_RESET = 0x08;
    private static final int DID_TRANSPORT_DISRUPTED = 0x0E;
    private static final int DID_TARGET_FAILURE = 0x10;
    private static final int DID_NEXUS_FAILURE = 0x11;
    private static final int DID_ALLOC_FAILURE = 0x12;
    private static final int DID_MEDIUM_ERROR = 0x13;

    /** QEMU's SG_ERR_DRIVER_TIMEOUT, tested bitwise as QEMU does. */
    private static final int DRIVER_TIMEOUT_MASK = 0x06;

    private SgIoResultMapper() {
    }

    /**
     * Fills {@code response} from one SG_IO outcome.
     *
     * @param errno        the ioctl's errno if it failed, else 0
     * @param hostStatus   {@code host_status} of the header
     * @param driverStatus {@code driver_status} of the header
     * @param status       {@code status} of the header: the device's SCSI status byte
     * @param sense        the sense buffer the kernel wrote to
     * @param senseLength  {@code sb_len_wr} of the header
     * @param dxferLen     {@code dxfer_len} the command was sent with, at most the response's data size
     * @param resid        {@code resid} of the header
     * @param response     the reply; for a GOOD status its data length is set to the bytes the device
     *                     returned, and the caller copies (and caps) the data itself
     */
    static void map(int errno, int hostStatus, int driverStatus, int status, byte[] sense, int senseLength,
                    int dxferLen, int resid, PrResponse response) {
        if (errno != 0) {
            fromErrno(errno, response);
        } else if (hostStatus != DID_OK) {
            fromHostStatus(hostStatus, response);
        } else if ((driverStatus & DRIVER_TIMEOUT_MASK) != 0) {
            response.statusOnly(ScsiStatus.BUSY);
        } else {
            fromDevice(status & 0xFF, sense, senseLength, dxferLen, resid, response);
        }
    }

    private static void fromErrno(int errno, PrResponse response) {
        switch (errno) {
            case EDOM -> response.statusOnly(ScsiStatus.TASK_SET_FULL);
            case EREMOTEIO, ENOMEM -> response.checkCondition(SenseCode.INTERNAL_TARGET_FAILURE);
            case EBADE -> response.statusOnly(ScsiStatus.RESERVATION_CONFLICT);
            case ENODATA -> response.checkCondition(SenseCode.MEDIUM_UNRECOVERED_READ_ERROR);
            case ENOMEDIUM -> response.checkCondition(SenseCode.LUN_NOT_READY_NO_MEDIUM);
            case EINVAL -> response.checkCondition(SenseCode.INVALID_FIELD_IN_CDB);
            case ENOSPC -> response.checkCondition(SenseCode.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
            // ENODEV (the device was removed under an open descriptor) too, as in Debian's
            // qemu-pr-helper: measured in the lab (e2e boot 3, LUN deleted behind a path).
            default -> response.checkCondition(SenseCode.IO_ERROR);
        }
    }

    private static void fromHostStatus(int hostStatus, PrResponse response) {
        switch (hostStatus) {
            case DID_NO_CONNECT -> response.checkCondition(SenseCode.NO_CONNECTION);
            case DID_BUS_BUSY -> response.statusOnly(ScsiStatus.BUSY);
            case DID_TIME_OUT -> response.checkCondition(SenseCode.COMMAND_TIMEOUT_DURING_PROCESSING);
            case DID_BAD_TARGET -> response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
            case DID_ABORT -> response.checkCondition(SenseCode.COMMANDS_CLEARED_BY_DEVICE_SERVER);
            case DID_RESET -> response.checkCondition(SenseCode.BUS_DEVICE_RESET);
            case DID_TRANSPORT_DISRUPTED -> response.checkCondition(SenseCode.I_T_NEXUS_LOSS);
            case DID_TARGET_FAILURE -> response.checkCondition(SenseCode.INTERNAL_TARGET_FAILURE);
            case DID_NEXUS_FAILURE -> response.statusOnly(ScsiStatus.RESERVATION_CONFLICT);
            case DID_ALLOC_FAILURE -> response.checkCondition(SenseCode.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
            case DID_MEDIUM_ERROR -> response.checkCondition(SenseCode.MEDIUM_UNRECOVERED_READ_ERROR);
            // Deliberately unlike QEMU, which answers GOOD (with no data) here: any other host error
            // (DID_ERROR, DID_PARITY, ...) means the command may not have reached the device, and
            // reporting success would let the guest believe a reservation change took effect.
            default -> response.checkCondition(SenseCode.LUN_COMMUNICATION_FAILURE);
        }
    }

    private static void fromDevice(int status, byte[] sense, int senseLength, int dxferLen, int resid,
                                   PrResponse response) {
        response.statusOnly(status);
        if (status == ScsiStatus.GOOD) {
            // resid is whatever the low-level driver reported: keep the length within 0..dxfer_len.
            response.dataLength(Math.max(0, Math.min(dxferLen, dxferLen - resid)));
        } else {
            int length = Math.min(Math.min(senseLength, PrResponse.SENSE_SIZE), sense.length);
            System.arraycopy(sense, 0, response.sense(), 0, length);
        }
    }
}
