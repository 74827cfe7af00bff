package org.prhelper.api;

import java.util.Arrays;

/**
 * The reply to one request: SCSI status, fixed-size sense buffer and, for a good PR IN, the data the
 * device returned. Reused by a connection; {@link #reset()} before each request.
 */
public final class PrResponse {
    public static final int SENSE_SIZE = 96;
    /** Bytes of fixed-format sense data this agent writes for its own sense codes. */
    public static final int FIXED_SENSE_LENGTH = 18;

    private final byte[] sense = new byte[SENSE_SIZE];
    private final byte[] data = new byte[PrRequest.MAX_TRANSFER];
    private int status;
    private int dataLength;
    private String backend;

    public void reset() {
        backend = null;
        status = ScsiStatus.GOOD;
        dataLength = 0;
        Arrays.fill(sense, (byte) 0);
    }

    public int status() {
        return status;
    }

    public void status(int status) {
        this.status = status;
    }

    /** The sense buffer; backends that pass device sense through write into it directly. */
    public byte[] sense() {
        return sense;
    }

    /** The data buffer; backends write PR IN data into it and set {@link #dataLength(int)}. */
    public byte[] data() {
        return data;
    }

    public int dataLength() {
        return dataLength;
    }

    public void dataLength(int length) {
        if (length < 0 || length > data.length) {
            throw new IllegalArgumentException("data length " + length);
        }
        dataLength = length;
    }

    /** The name of the backend that executed the request, or null if none did (for the audit trail). */
    public String backend() {
        return backend;
    }

    public void backend(String name) {
        backend = name;
    }

    /** CHECK CONDITION with fixed-format sense data for {@code code}, and no data. */
    public void checkCondition(SenseCode code) {
        status = ScsiStatus.CHECK_CONDITION;
        dataLength = 0;
        Arrays.fill(sense, (byte) 0);
        sense[0] = 0x70;
        sense[2] = (byte) code.key();
        sense[7] = FIXED_SENSE_LENGTH - 8;
        sense[12] = (byte) code.asc();
        sense[13] = (byte) code.ascq();
    }

    /** A status without sense or data (BUSY, RESERVATION CONFLICT, TASK SET FULL). */
    public void statusOnly(int status) {
        this.status = status;
        dataLength = 0;
        Arrays.fill(sense, (byte) 0);
    }
}
