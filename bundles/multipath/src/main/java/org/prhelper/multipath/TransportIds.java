package org.prhelper.multipath;

import static org.prhelper.multipath.MpathLayout.TID_FORMAT_CODE;
import static org.prhelper.multipath.MpathLayout.TID_NAME;
import static org.prhelper.multipath.MpathLayout.TID_NAME_SIZE;
import static org.prhelper.multipath.MpathLayout.TID_PROTOCOL_ID;

import java.nio.ByteBuffer;

/**
 * SPC transport IDs (the initiator port names in SPEC_I_PT registrations and READ FULL STATUS) in
 * both forms: the wire form, and libmpathpersist's {@code struct transportid} (format code, protocol,
 * and the name bytes). The library's iSCSI form differs by direction: READ FULL STATUS gives the bare
 * name (decode_transport_id), PR OUT wants the 2-byte additional length before it (format_transportids).
 */
final class TransportIds {
    static final int FC = 0x0;
    static final int ISCSI = 0x5;
    static final int SAS = 0x6;
    /** FC and SAS IDs, and the shortest iSCSI one, are 24 bytes. */
    static final int FIXED_LENGTH = 24;
    private static final int FC_NAME = 8;
    private static final int SAS_ADDRESS = 4;
    private static final int ISCSI_NAME = 4;
    private static final int ISCSI_MIN_LENGTH = 24;
    /** The most an iSCSI name may take in the library's 256-byte field, with its terminating NUL. */
    private static final int ISCSI_MAX_NAME = 252;

    private TransportIds() {
    }

    /**
     * The length of the wire transport ID at {@code from}, or -1 if it is not one this agent can pass
     * on: an unknown protocol, an iSCSI length that is not a multiple of 4, too long for the library,
     * or without a NUL-terminated name, or an ID running past {@code end}.
     */
    static int wireLength(byte[] b, int from, int end) {
        if (from + 4 > end) {
            return -1;
        }
        int length;
        switch (b[from] & 0x0F) {
            case FC, SAS -> length = FIXED_LENGTH;
            case ISCSI -> {
                int additional = Short.toUnsignedInt(ByteBuffer.wrap(b).getShort(from + 2));
                if (additional % 4 != 0 || additional > ISCSI_MAX_NAME || additional == 0) {
                    return -1;
                }
                length = ISCSI_NAME + additional;
                if (from + length <= end && indexOfNul(b, from + ISCSI_NAME, from + length) < 0) {
                    return -1;
                }
            }
            default -> {
                return -1;
            }
        }
        return from + length <= end ? length : -1;
    }

    /** Writes the wire ID at {@code from} (checked by {@link #wireLength}) as a struct at {@code at}. */
    static void toStruct(byte[] b, int from, int length, ByteBuffer s, int at) {
        for (int i = 0; i < TID_NAME_SIZE; i++) {
            s.put(at + TID_NAME + i, (byte) 0);
        }
        int protocol = b[from] & 0x0F;
        s.put(at + TID_FORMAT_CODE, (byte) (b[from] & 0xC0));
        s.put(at + TID_PROTOCOL_ID, (byte) protocol);
        switch (protocol) {
            case FC -> s.put(at + TID_NAME, b, from + FC_NAME, 8);
            case SAS -> s.put(at + TID_NAME, b, from + SAS_ADDRESS, 8);
            // format_transportids sends iscsi_name[1] + 2 bytes of iscsi_name as wire bytes 2..: the
            // additional length, then the name (qemu-pr-helper copies them alike).
            default -> s.put(at + TID_NAME, b, from + 2, length - 2);
        }
    }

    /**
     * The wire form of the struct at {@code at}, as READ FULL STATUS fills it. The format code may be
     * held shifted (0..3) or in place (0x00, 0x40); both read the same. A protocol this agent does not
     * know keeps only its protocol and format byte, in a 24-byte ID.
     */
    static byte[] toWire(ByteBuffer s, int at) {
        int format = s.get(at + TID_FORMAT_CODE) & 0xFF;
        int formatBits = format < 4 ? format << 6 : format & 0xC0;
        int protocol = s.get(at + TID_PROTOCOL_ID) & 0x0F;
        byte first = (byte) (formatBits | protocol);
        byte[] out;
        switch (protocol) {
            case FC -> {
                out = new byte[FIXED_LENGTH];
                s.get(at + TID_NAME, out, FC_NAME, 8);
            }
            case SAS -> {
                out = new byte[FIXED_LENGTH];
                s.get(at + TID_NAME, out, SAS_ADDRESS, 8);
            }
            case ISCSI -> {
                byte[] name = new byte[TID_NAME_SIZE];
                s.get(at + TID_NAME, name);
                int nameLength = indexOfNul(name, 0, name.length);
                if (nameLength < 0) {
                    nameLength = ISCSI_MAX_NAME - 1;
                }
                // The name, its NUL, padded to a multiple of 4, and at least 24 bytes in all.
                int padded = Math.max(ISCSI_MIN_LENGTH - ISCSI_NAME, (nameLength + 1 + 3) & ~3);
                out = new byte[ISCSI_NAME + padded];
                System.arraycopy(name, 0, out, ISCSI_NAME, nameLength);
                ByteBuffer.wrap(out).putShort(2, (short) padded);
            }
            default -> out = new byte[FIXED_LENGTH];
        }
        out[0] = first;
        return out;
    }

    private static int indexOfNul(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return i - from;
            }
        }
        return -1;
    }
}
