package org.prhelper.sgio;

/**
 * The Linux x86-64 layout of {@code struct sg_io_hdr} ({@code <scsi/sg.h>}) as byte offsets, so the
 * per-request path writes the header with plain memory accesses instead of reflective struct mapping.
 * {@code SgIoHeaderLayoutTest} checks every value against the C compiler.
 */
final class SgIoHeader {
    /** The ioctl request number. */
    static final int SG_IO = 0x2285;
    /** The value {@code interface_id} must hold. */
    static final int INTERFACE_ID_SCSI = 'S';

    static final int DXFER_NONE = -1;
    static final int DXFER_TO_DEV = -2;
    static final int DXFER_FROM_DEV = -3;

    static final int INTERFACE_ID = 0;       // int
    static final int DXFER_DIRECTION = 4;    // int
    static final int CMD_LEN = 8;            // unsigned char
    static final int MX_SB_LEN = 9;          // unsigned char
    static final int IOVEC_COUNT = 10;       // unsigned short
    static final int DXFER_LEN = 12;         // unsigned int
    static final int DXFERP = 16;            // void *
    static final int CMDP = 24;              // unsigned char *
    static final int SBP = 32;               // unsigned char *
    static final int TIMEOUT = 40;           // unsigned int, milliseconds
    static final int FLAGS = 44;             // unsigned int
    static final int PACK_ID = 48;           // int
    static final int USR_PTR = 56;           // void *
    static final int STATUS = 64;            // unsigned char
    static final int MASKED_STATUS = 65;     // unsigned char
    static final int MSG_STATUS = 66;        // unsigned char
    static final int SB_LEN_WR = 67;         // unsigned char
    static final int HOST_STATUS = 68;       // unsigned short
    static final int DRIVER_STATUS = 70;     // unsigned short
    static final int RESID = 72;             // int
    static final int DURATION = 76;          // unsigned int
    static final int INFO = 80;              // unsigned int
    static final int SIZE = 88;

    private SgIoHeader() {
    }
}
