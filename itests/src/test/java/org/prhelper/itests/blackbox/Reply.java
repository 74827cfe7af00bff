package org.prhelper.itests.blackbox;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

/** One response exactly as it came off the wire: int32 status, int32 data size, 96 sense bytes, data. */
final class Reply {
    static final int HEADER_BYTES = 8 + 96;

    private final byte[] raw;

    Reply(byte[] raw) {
        this.raw = raw.clone();
    }

    int status() {
        return ByteBuffer.wrap(raw).getInt(0);
    }

    /** Sense key of fixed-format sense (byte 2). */
    int senseKey() {
        return raw[8 + 2] & 0x0F;
    }

    /** Sense key, additional sense code and qualifier of fixed-format sense, as "05/20/02". */
    String senseCode() {
        return String.format("%02X/%02X/%02X", senseKey(), raw[8 + 12] & 0xFF, raw[8 + 13] & 0xFF);
    }

    /**
     * Byte-identical to the reference's reply, with one allowance: where the reference's fixed-format
     * sense says only 18 bytes are used (additional length 0x0A), Debian's 7.2 may leave bytes 18..95
     * uninitialised (it does on the read-only PR OUT path, which builds sense without SG_IO), so
     * there only ours must be zero, as the protocol says.
     */
    boolean matchesReference(Reply reference) {
        if (raw.length != reference.raw.length) {
            return false;
        }
        int firstUnused = 8 + 18;
        boolean referenceUses18 = (reference.raw[8] & 0x7F) == 0x70 && reference.raw[8 + 7] == 0x0A;
        for (int i = 0; i < raw.length; i++) {
            boolean mayDiffer = referenceUses18 && i >= firstUnused && i < HEADER_BYTES;
            if (mayDiffer ? raw[i] != 0 : raw[i] != reference.raw[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where two transcripts (replies and notes, in order) part: the first index whose entries differ,
     * replies compared by {@link #matchesReference}, or -1 if they are alike to the end.
     */
    static int firstDifference(List<Object> actual, List<Object> expected) {
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            if (i >= actual.size() || i >= expected.size()) {
                return i;
            }
            Object a = actual.get(i);
            Object e = expected.get(i);
            boolean same = a instanceof Reply && e instanceof Reply ? ((Reply) a).matchesReference((Reply) e)
                    : a.equals(e);
            if (!same) {
                return i;
            }
        }
        return -1;
    }

    /** Status and sense key/ASC/ASCQ: the kind of reply, for counting what a run saw. */
    String summary() {
        return String.format("status 0x%02x, sense %x/%02x/%02x", status(), senseKey(), raw[8 + 12] & 0xFF,
                raw[8 + 13] & 0xFF);
    }

    /** Every byte, so two replies print alike exactly when they are byte-identical. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "status " + hex.formatHex(raw, 0, 4) + " size " + hex.formatHex(raw, 4, 8)
                + " sense " + hex.formatHex(raw, 8, HEADER_BYTES)
                + " data [" + hex.formatHex(raw, HEADER_BYTES, raw.length) + "]";
    }
}
