package org.prhelper.itests.blackbox;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

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

    int dataSize() {
        return ByteBuffer.wrap(raw).getInt(4);
    }

    /** Sense key of fixed-format sense (byte 2). */
    int senseKey() {
        return raw[8 + 2] & 0x0F;
    }

    /** Additional sense code (byte 12). */
    int asc() {
        return raw[8 + 12] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reply && Arrays.equals(raw, ((Reply) o).raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
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
