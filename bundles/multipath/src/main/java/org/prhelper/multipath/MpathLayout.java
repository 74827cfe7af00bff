package org.prhelper.multipath;

/**
 * Byte offsets in libmpathpersist's structs ({@code <mpath_persist.h>}, multipath-tools 0.9, x86_64),
 * checked against the C compiler by {@code MpathLayoutTest}. Integers in these structs are in host
 * order; keys and names are bytes as on the wire.
 */
final class MpathLayout {
    private MpathLayout() {
    }

    /** {@code MPATH_MAX_PARAM_LEN}: the library's data buffers, and our allocation length. */
    static final int MAX_PARAM_LEN = 8192;
    /** {@code MPATH_MX_TIDS}: transport IDs one PR OUT may carry. */
    static final int MAX_TRANSPORT_IDS = 32;
    static final int POINTER_SIZE = 8;

    // struct prin_resp: a union of the four PR IN results.
    static final int PRIN_GENERATION = 0;
    static final int PRIN_ADDITIONAL_LENGTH = 4;
    static final int READKEYS_KEY_LIST = 8;
    static final int RESV_KEY = 8;
    static final int RESV_SCOPE_TYPE = 21;
    static final int CAP_LENGTH = 0;
    static final int CAP_FLAGS = 2;
    static final int CAP_TYPE_MASK = 4;
    static final int FULL_NUMBER_OF_DESCRIPTORS = 4;
    static final int FULL_PRIVATE_BUFFER = 8;
    /** The flexible array of pointers into the private buffer, one per descriptor. */
    static final int FULL_DESCRIPTORS = 8200;
    static final int PRIN_RESP_SIZE = 8200;

    // struct prin_fulldescr
    static final int FD_KEY = 0;
    static final int FD_FLAG = 8;
    static final int FD_SCOPE_TYPE = 9;
    static final int FD_RTPI = 10;
    static final int FD_TRANSPORT_ID = 12;
    static final int FULLDESCR_SIZE = 270;

    // struct transportid
    static final int TID_FORMAT_CODE = 0;
    static final int TID_PROTOCOL_ID = 1;
    static final int TID_NAME = 2;
    static final int TID_NAME_SIZE = 256;
    static final int TRANSPORTID_SIZE = 258;

    // struct prout_param_descriptor
    static final int PROUT_KEY = 0;
    static final int PROUT_SA_KEY = 8;
    static final int PROUT_SA_FLAGS = 20;
    static final int PROUT_NUM_TRANSPORTID = 8216;
    static final int PROUT_TRANSPORTID_LIST = 8224;
    static final int PROUT_SIZE = 8224;

    /** Where our PR OUT buffer keeps the transport ID structs the list points to: after the list. */
    static final int PROUT_TRANSPORTID_AREA = PROUT_TRANSPORTID_LIST + MAX_TRANSPORT_IDS * POINTER_SIZE;
    static final int PROUT_BUFFER_SIZE = PROUT_TRANSPORTID_AREA + MAX_TRANSPORT_IDS * TRANSPORTID_SIZE;
    /**
     * Room for READ FULL STATUS: the library stores a 270-byte prin_fulldescr per descriptor from the
     * private buffer on without a bound (mpath_format_readfullstatus), and a descriptor may take as
     * little as 24 wire bytes: up to 8192 / 24 + 1 of them, far past the end of struct prin_resp.
     */
    static final int PRIN_BUFFER_SIZE = FULL_PRIVATE_BUFFER + (MAX_PARAM_LEN / 24 + 1) * FULLDESCR_SIZE;
    /** Descriptors that fit the private buffer; past them the library writes over its pointer list. */
    static final int MAX_FULL_DESCRIPTORS = MAX_PARAM_LEN / FULLDESCR_SIZE;
}
