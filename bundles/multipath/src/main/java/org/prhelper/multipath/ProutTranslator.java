package org.prhelper.multipath;

import static org.prhelper.multipath.MpathLayout.MAX_TRANSPORT_IDS;
import static org.prhelper.multipath.MpathLayout.POINTER_SIZE;
import static org.prhelper.multipath.MpathLayout.PROUT_KEY;
import static org.prhelper.multipath.MpathLayout.PROUT_NUM_TRANSPORTID;
import static org.prhelper.multipath.MpathLayout.PROUT_SA_FLAGS;
import static org.prhelper.multipath.MpathLayout.PROUT_SA_KEY;
import static org.prhelper.multipath.MpathLayout.PROUT_TRANSPORTID_AREA;
import static org.prhelper.multipath.MpathLayout.PROUT_TRANSPORTID_LIST;
import static org.prhelper.multipath.MpathLayout.TRANSPORTID_SIZE;

import java.nio.ByteBuffer;

import org.prhelper.api.SenseCode;

/**
 * Turns a PR OUT parameter list (SPC wire format) into libmpathpersist's
 * {@code struct prout_param_descriptor}, transport IDs included. Plain Java over a buffer.
 */
final class ProutTranslator {
    /** The basic parameter list: key, service action key, obsolete, flags, obsolete. */
    static final int BASIC_LENGTH = 24;
    /** With transport IDs: the basic list, then a 4-byte length of the IDs that follow. */
    private static final int TRANSPORT_IDS = 28;

    private ProutTranslator() {
    }

    /**
     * Fills the struct at native address {@code base} from {@code length} bytes of {@code params}.
     *
     * @return null when done, or the sense to answer with when the list is malformed
     */
    static SenseCode toStruct(byte[] params, int length, ByteBuffer s, long base) {
        if (length < BASIC_LENGTH || (length > BASIC_LENGTH && length < TRANSPORT_IDS)) {
            return SenseCode.PARAMETER_LIST_LENGTH_ERROR;
        }
        for (int i = 0; i < PROUT_NUM_TRANSPORTID + 4; i++) {
            s.put(i, (byte) 0);
        }
        s.put(PROUT_KEY, params, 0, 8);
        s.put(PROUT_SA_KEY, params, 8, 8);
        s.put(PROUT_SA_FLAGS, params[20]);

        int count = 0;
        if (length > BASIC_LENGTH) {
            long idsLength = Integer.toUnsignedLong(ByteBuffer.wrap(params).getInt(BASIC_LENGTH));
            if (TRANSPORT_IDS + idsLength > length) {
                return SenseCode.INVALID_FIELD_IN_PARAMETER_LIST;
            }
            int end = TRANSPORT_IDS + (int) idsLength;
            for (int at = TRANSPORT_IDS; at < end; count++) {
                int idLength = TransportIds.wireLength(params, at, end);
                if (idLength < 0 || count == MAX_TRANSPORT_IDS) {
                    return SenseCode.INVALID_FIELD_IN_PARAMETER_LIST;
                }
                int struct = PROUT_TRANSPORTID_AREA + count * TRANSPORTID_SIZE;
                TransportIds.toStruct(params, at, idLength, s, struct);
                s.putLong(PROUT_TRANSPORTID_LIST + count * POINTER_SIZE, base + struct);
                at += idLength;
            }
        }
        s.putInt(PROUT_NUM_TRANSPORTID, count);
        return null;
    }
}
