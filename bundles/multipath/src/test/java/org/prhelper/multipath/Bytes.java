package org.prhelper.multipath;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Byte arrays written as hex or text, and native-order buffers standing in for the library's memory. */
final class Bytes {
    /** A made-up native address of the struct: pointers the code writes or reads are relative to it. */
    static final long BASE = 0x7f3a_5c00_1000L;

    // Transport IDs as a device sends them; the names are what the struct forms hold.
    static final byte[] FC_NAME = hex("21 00 00 24 ff 31 4a 5b");
    static final byte[] FC = hex("00 000000 00000000 21000024ff314a5b 0000000000000000");
    static final byte[] SAS_ADDRESS = hex("50 06 05 b0 00 12 34 56");
    static final byte[] SAS = hex("06 000000 500605b000123456 000000000000000000000000");
    static final String ISCSI_NAME = "iqn.2024-01.org.example:host1";
    /** 29 characters, a NUL and 2 bytes of padding: additional length 32. */
    static final byte[] ISCSI = concat(hex("05 00 0020"), text(ISCSI_NAME), hex("00 0000"));
    static final String ISCSI_PORT_NAME = ISCSI_NAME + ",i,0x00023d000001";
    /** Format code 01 (port identifier): 46 characters, a NUL and 1 byte of padding: length 48. */
    static final byte[] ISCSI_PORT = concat(hex("45 00 0030"), text(ISCSI_PORT_NAME), hex("00 00"));

    private Bytes() {
    }

    /** Hex digits; spaces are for the reader. */
    static byte[] hex(String digits) {
        String h = digits.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** {@code count} bytes of {@code value}. */
    static byte[] repeat(int count, int value) {
        byte[] b = new byte[count];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] be32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    /** Host-order like the library's structs, so that a byte-order mistake shows on this machine. */
    static ByteBuffer nativeBuffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static byte[] slice(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }

    /** A {@code struct transportid}: format code and protocol bytes, then the name field, zero-padded. */
    static byte[] transportIdStruct(int format, int protocol, byte[] name) {
        byte[] s = new byte[MpathLayout.TRANSPORTID_SIZE];
        s[0] = (byte) format;
        s[1] = (byte) protocol;
        System.arraycopy(name, 0, s, 2, name.length);
        return s;
    }
}
