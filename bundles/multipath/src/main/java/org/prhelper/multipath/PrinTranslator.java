package org.prhelper.multipath;

import static org.prhelper.multipath.MpathLayout.CAP_FLAGS;
import static org.prhelper.multipath.MpathLayout.CAP_LENGTH;
import static org.prhelper.multipath.MpathLayout.CAP_TYPE_MASK;
import static org.prhelper.multipath.MpathLayout.FD_FLAG;
import static org.prhelper.multipath.MpathLayout.FD_KEY;
import static org.prhelper.multipath.MpathLayout.FD_RTPI;
import static org.prhelper.multipath.MpathLayout.FD_SCOPE_TYPE;
import static org.prhelper.multipath.MpathLayout.FD_TRANSPORT_ID;
import static org.prhelper.multipath.MpathLayout.FULLDESCR_SIZE;
import static org.prhelper.multipath.MpathLayout.FULL_DESCRIPTORS;
import static org.prhelper.multipath.MpathLayout.FULL_NUMBER_OF_DESCRIPTORS;
import static org.prhelper.multipath.MpathLayout.FULL_PRIVATE_BUFFER;
import static org.prhelper.multipath.MpathLayout.MAX_FULL_DESCRIPTORS;
import static org.prhelper.multipath.MpathLayout.MAX_PARAM_LEN;
import static org.prhelper.multipath.MpathLayout.POINTER_SIZE;
import static org.prhelper.multipath.MpathLayout.PRIN_ADDITIONAL_LENGTH;
import static org.prhelper.multipath.MpathLayout.PRIN_GENERATION;
import static org.prhelper.multipath.MpathLayout.READKEYS_KEY_LIST;
import static org.prhelper.multipath.MpathLayout.RESV_KEY;
import static org.prhelper.multipath.MpathLayout.RESV_SCOPE_TYPE;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns libmpathpersist's PR IN result structs back into the SPC wire format the client expects
 * (big-endian, as the device sent it). Plain Java over a buffer, so every case is unit-tested.
 */
final class PrinTranslator {
    static final int READ_KEYS = 0;
    static final int READ_RESERVATION = 1;
    static final int REPORT_CAPABILITIES = 2;
    static final int READ_FULL_STATUS = 3;

    /** Bytes of a READ RESERVATION reservation descriptor, and of a full status descriptor header. */
    private static final int RESERVATION_DESCRIPTOR = 16;
    private static final int FULL_DESCRIPTOR_HEADER = 24;
    private static final int CAPABILITIES_LENGTH = 8;

    private PrinTranslator() {
    }

    /**
     * Writes the wire form of {@code struct} (a {@code struct prin_resp} in host order, at native
     * address {@code base}) into {@code out}.
     *
     * @return the number of bytes written, or -1 if the struct is inconsistent (a pointer outside it)
     */
    static int toWire(int serviceAction, ByteBuffer struct, long base, byte[] out) {
        return switch (serviceAction) {
            case READ_KEYS -> readKeys(struct, out);
            case READ_RESERVATION -> readReservation(struct, out);
            case REPORT_CAPABILITIES -> capabilities(struct, out);
            case READ_FULL_STATUS -> fullStatus(struct, base, out);
            default -> throw new IllegalArgumentException("PR IN service action " + serviceAction);
        };
    }

    private static int readKeys(ByteBuffer s, byte[] out) {
        int additional = s.getInt(PRIN_ADDITIONAL_LENGTH);
        // The device reports the length of all its keys; the library holds only what fitted.
        int copied = (int) Math.min(Integer.toUnsignedLong(additional), MAX_PARAM_LEN - 8);
        header(s, additional, out);
        s.get(READKEYS_KEY_LIST, out, 8, copied);
        return 8 + copied;
    }

    private static int readReservation(ByteBuffer s, byte[] out) {
        int additional = s.getInt(PRIN_ADDITIONAL_LENGTH);
        header(s, additional, out);
        if (additional < RESERVATION_DESCRIPTOR) {
            return 8;
        }
        Arrays.fill(out, 8, 8 + RESERVATION_DESCRIPTOR, (byte) 0);
        s.get(RESV_KEY, out, 8, 8);
        out[8 + 13] = s.get(RESV_SCOPE_TYPE);
        return 8 + RESERVATION_DESCRIPTOR;
    }

    /** The whole 8-byte response; qemu-pr-helper returns only the first 6. */
    private static int capabilities(ByteBuffer s, byte[] out) {
        ByteBuffer wire = ByteBuffer.wrap(out); // big-endian, as SPC
        short length = s.getShort(CAP_LENGTH);
        wire.putShort(0, length == 0 ? CAPABILITIES_LENGTH : length);
        out[2] = s.get(CAP_FLAGS);
        out[3] = s.get(CAP_FLAGS + 1);
        wire.putShort(4, s.getShort(CAP_TYPE_MASK));
        out[6] = 0;
        out[7] = 0;
        return CAPABILITIES_LENGTH;
    }

    private static int fullStatus(ByteBuffer s, long base, byte[] out) {
        long count = Integer.toUnsignedLong(s.getInt(FULL_NUMBER_OF_DESCRIPTORS));
        if (count > MAX_FULL_DESCRIPTORS) {
            return -1;
        }
        ByteBuffer wire = ByteBuffer.wrap(out);
        int at = 8;
        long total = 0;
        boolean cut = false;
        for (int i = 0; i < count; i++) {
            long offset = s.getLong(FULL_DESCRIPTORS + i * POINTER_SIZE) - base;
            if (offset < FULL_PRIVATE_BUFFER || offset > FULL_DESCRIPTORS - FULLDESCR_SIZE) {
                return -1;
            }
            int d = (int) offset;
            byte[] tid = TransportIds.toWire(s, d + FD_TRANSPORT_ID);
            int length = FULL_DESCRIPTOR_HEADER + tid.length;
            total += length;
            cut |= at + length > out.length;
            if (cut) {
                continue; // counted in the additional length, as a device does when data is cut
            }
            Arrays.fill(out, at, at + FULL_DESCRIPTOR_HEADER, (byte) 0);
            s.get(d + FD_KEY, out, at, 8);
            out[at + 12] = s.get(d + FD_FLAG);
            out[at + 13] = s.get(d + FD_SCOPE_TYPE);
            wire.putShort(at + 18, s.getShort(d + FD_RTPI));
            wire.putInt(at + 20, tid.length);
            System.arraycopy(tid, 0, out, at + FULL_DESCRIPTOR_HEADER, tid.length);
            at += length;
        }
        wire.putInt(0, s.getInt(PRIN_GENERATION));
        wire.putInt(4, (int) Math.min(total, 0xFFFF_FFFFL));
        return at;
    }

    private static void header(ByteBuffer s, int additional, byte[] out) {
        ByteBuffer.wrap(out).putInt(0, s.getInt(PRIN_GENERATION)).putInt(4, additional);
    }
}
