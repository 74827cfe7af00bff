package org.prhelper.api;

/**
 * A sense key with its additional sense code and qualifier, as written into fixed-format sense data.
 * The constants are the codes this agent produces itself; device sense is passed through untouched.
 */
public record SenseCode(int key, int asc, int ascq) {
    public static final int KEY_NOT_READY = 0x02;
    public static final int KEY_MEDIUM_ERROR = 0x03;
    public static final int KEY_HARDWARE_ERROR = 0x04;
    public static final int KEY_ILLEGAL_REQUEST = 0x05;
    public static final int KEY_UNIT_ATTENTION = 0x06;
    public static final int KEY_DATA_PROTECT = 0x07;
    public static final int KEY_ABORTED_COMMAND = 0x0B;

    public static final SenseCode INVALID_OPCODE = new SenseCode(KEY_ILLEGAL_REQUEST, 0x20, 0x00);
    public static final SenseCode ACCESS_DENIED_NO_ACCESS_RIGHTS = new SenseCode(KEY_ILLEGAL_REQUEST, 0x20, 0x02);
    public static final SenseCode INVALID_FIELD_IN_CDB = new SenseCode(KEY_ILLEGAL_REQUEST, 0x24, 0x00);
    public static final SenseCode INVALID_FIELD_IN_PARAMETER_LIST = new SenseCode(KEY_ILLEGAL_REQUEST, 0x26, 0x00);
    public static final SenseCode PARAMETER_LIST_LENGTH_ERROR = new SenseCode(KEY_ILLEGAL_REQUEST, 0x1A, 0x00);
    public static final SenseCode LUN_NOT_READY_NO_MEDIUM = new SenseCode(KEY_NOT_READY, 0x3A, 0x00);
    public static final SenseCode MEDIUM_UNRECOVERED_READ_ERROR = new SenseCode(KEY_MEDIUM_ERROR, 0x11, 0x00);
    public static final SenseCode INTERNAL_TARGET_FAILURE = new SenseCode(KEY_HARDWARE_ERROR, 0x44, 0x00);
    public static final SenseCode SPACE_ALLOCATION_FAILED_WRITE_PROTECT = new SenseCode(KEY_DATA_PROTECT, 0x27, 0x07);
    public static final SenseCode IO_ERROR = new SenseCode(KEY_ABORTED_COMMAND, 0x00, 0x06);
    public static final SenseCode LUN_COMMUNICATION_FAILURE = new SenseCode(KEY_ABORTED_COMMAND, 0x08, 0x00);
    public static final SenseCode LUN_COMMUNICATION_TIMEOUT = new SenseCode(KEY_ABORTED_COMMAND, 0x08, 0x01);
    public static final SenseCode NO_CONNECTION = new SenseCode(KEY_ABORTED_COMMAND, 0x05, 0x00);
    public static final SenseCode COMMAND_TIMEOUT_DURING_PROCESSING = new SenseCode(KEY_ABORTED_COMMAND, 0x2E, 0x02);
    public static final SenseCode COMMANDS_CLEARED_BY_DEVICE_SERVER = new SenseCode(KEY_ABORTED_COMMAND, 0x2F, 0x02);
    public static final SenseCode I_T_NEXUS_LOSS = new SenseCode(KEY_ABORTED_COMMAND, 0x29, 0x07);
    public static final SenseCode BUS_DEVICE_RESET = new SenseCode(KEY_UNIT_ATTENTION, 0x29, 0x00);

    private static final String[] KEY_NAMES = {
        "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR", "ILLEGAL REQUEST",
        "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
        "0x0c", "VOLUME OVERFLOW", "MISCOMPARE", "0x0f",
    };

    /** SPC-4's name of a sense key ({@code ILLEGAL REQUEST}); the reserved keys in hex. */
    public static String keyName(int key) {
        return KEY_NAMES[key & 0x0F];
    }

    /** No sense data, or a format this agent cannot read. */
    public static final SenseCode NONE = new SenseCode(0, 0, 0);

    /**
     * Key, ASC and ASCQ of sense data in fixed format (response code 0x70/0x71: bytes 2, 12, 13) or
     * descriptor format (0x72/0x73: bytes 1, 2, 3), as devices return either; {@link #NONE} otherwise.
     */
    public static SenseCode of(byte[] sense) {
        if (sense == null || sense.length < 4) {
            return NONE;
        }
        return switch (sense[0] & 0x7F) {
            case 0x70, 0x71 -> sense.length < 14 ? NONE
                    : new SenseCode(sense[2] & 0x0F, sense[12] & 0xFF, sense[13] & 0xFF);
            case 0x72, 0x73 -> new SenseCode(sense[1] & 0x0F, sense[2] & 0xFF, sense[3] & 0xFF);
            default -> NONE;
        };
    }
}
