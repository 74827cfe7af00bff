package org.prhelper.api;

import java.util.Arrays;

/**
 * One PERSISTENT RESERVE IN or OUT request as it came off the wire: the 16-byte CDB (10-byte CDB
 * zero-padded), the device and, for PR OUT, the parameter list. Instances are reused by a connection
 * for each of its requests, so a backend must not keep a reference after it returned.
 */
public final class PrRequest {
    public static final int CDB_SIZE = 16;
    public static final int MAX_TRANSFER = 8192;
    public static final int OPCODE_PR_IN = 0x5E;
    public static final int OPCODE_PR_OUT = 0x5F;

    private final byte[] cdb = new byte[CDB_SIZE];
    /**
     * Grown to the longest parameter list this object carried, so that a connection that sends PR IN
     * (no list) or the usual 24-byte lists does not hold 8 KB for it.
     */
    private byte[] parameters = new byte[0];
    private int parameterLength;
    private PrDevice device;

    /** The CDB; callers fill it in place. */
    public byte[] cdb() {
        return cdb;
    }

    /**
     * The parameter list buffer (PR OUT), valid up to {@link #parameterLength()} and at least that
     * long: set the length first, then fill the buffer.
     */
    public byte[] parameters() {
        return parameters;
    }

    public int parameterLength() {
        return parameterLength;
    }

    public void parameterLength(int length) {
        if (length < 0 || length > MAX_TRANSFER) {
            throw new IllegalArgumentException("parameter length " + length);
        }
        if (length > parameters.length) {
            parameters = Arrays.copyOf(parameters, length);
        }
        parameterLength = length;
    }

    /** Makes this request the same command as {@code other}: its CDB and parameter list, not its device. */
    public void commandOf(PrRequest other) {
        System.arraycopy(other.cdb, 0, cdb, 0, CDB_SIZE);
        parameterLength(other.parameterLength);
        System.arraycopy(other.parameters, 0, parameters, 0, other.parameterLength);
    }

    public PrDevice device() {
        return device;
    }

    public void device(PrDevice device) {
        this.device = device;
    }

    public int opcode() {
        return cdb[0] & 0xFF;
    }

    public boolean isOut() {
        return opcode() == OPCODE_PR_OUT;
    }

    /** The service action, bits 0-4 of CDB byte 1. */
    public int serviceAction() {
        return cdb[1] & 0x1F;
    }

    /**
     * The transfer length both peers of the pr-helper protocol use: CDB bytes 7..8, for PR IN (allocation
     * length) and PR OUT alike.
     */
    public int transferLength() {
        return ((cdb[7] & 0xFF) << 8) | (cdb[8] & 0xFF);
    }
}
