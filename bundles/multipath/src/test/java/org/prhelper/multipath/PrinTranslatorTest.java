package org.prhelper.multipath;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.prhelper.multipath.Bytes.BASE;
import static org.prhelper.multipath.Bytes.FC;
import static org.prhelper.multipath.Bytes.FC_NAME;
import static org.prhelper.multipath.Bytes.ISCSI;
import static org.prhelper.multipath.Bytes.ISCSI_NAME;
import static org.prhelper.multipath.Bytes.SAS;
import static org.prhelper.multipath.Bytes.SAS_ADDRESS;
import static org.prhelper.multipath.Bytes.concat;
import static org.prhelper.multipath.Bytes.hex;
import static org.prhelper.multipath.Bytes.repeat;
import static org.prhelper.multipath.Bytes.text;
import static org.prhelper.multipath.Bytes.transportIdStruct;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.Test;

/**
 * libmpathpersist's PR IN structs (host order, as mpath_format_* leave them) back to SPC wire bytes.
 * The output buffer starts out full of 0xEE, so bytes the translator should have written but did not
 * show up, as do bytes it wrote past what it returned.
 */
public class PrinTranslatorTest {
    private static final int GENERATION = 0x8000_0102;
    private static final byte[] GENERATION_WIRE = hex("80000102");
    private static final byte[] KEY_A = hex("0123456789abcdef");
    private static final byte[] KEY_B = hex("1122334455667788");
    private static final byte[] KEY_C = hex("fedcba9876543210");
    /** Where the test puts the first two READ FULL STATUS descriptors, as the library does. */
    private static final int FIRST = MpathLayout.FULL_PRIVATE_BUFFER;
    private static final int SECOND = FIRST + MpathLayout.FULLDESCR_SIZE;

    private final ByteBuffer struct = Bytes.nativeBuffer(MpathLayout.PRIN_BUFFER_SIZE);
    private byte[] out = repeat(8192, 0xEE);

    @Test
    public void readKeysWithoutKeysIsTheHeaderOnly() {
        readKeys(0, new byte[0]);
        assertWire(PrinTranslator.READ_KEYS, concat(GENERATION_WIRE, hex("00000000")));
    }

    @Test
    public void readKeysCopiesOneKey() {
        readKeys(8, KEY_A);
        assertWire(PrinTranslator.READ_KEYS, concat(GENERATION_WIRE, hex("00000008"), KEY_A));
    }

    @Test
    public void readKeysCopiesThreeKeysInOrder() {
        readKeys(24, concat(KEY_A, KEY_B, KEY_C));
        assertWire(PrinTranslator.READ_KEYS, concat(GENERATION_WIRE, hex("00000018"), KEY_A, KEY_B, KEY_C));
    }

    /** The device counts all its keys; the library received 8192 bytes, so that much is passed on. */
    @Test
    public void readKeysLongerThanTheBufferIsCappedAt8192BytesButKeepsItsLength() {
        byte[] keys = new byte[MpathLayout.MAX_PARAM_LEN];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (byte) (i / 8);
        }
        readKeys(0x0001_0000, keys);
        byte[] expected = concat(GENERATION_WIRE, hex("00010000"), Arrays.copyOf(keys, 8192 - 8));
        assertWire(PrinTranslator.READ_KEYS, expected);
    }

    @Test
    public void readReservationWithoutReservationIsTheHeaderOnly() {
        header(0);
        assertWire(PrinTranslator.READ_RESERVATION, concat(GENERATION_WIRE, hex("00000000")));
    }

    /** Scope LU (0), type EXCLUSIVE ACCESS (3); the struct's obsolete fields must not leak out. */
    @Test
    public void readReservationGivesKeyAndScopeTypeInADescriptor() {
        header(16);
        struct.put(MpathLayout.RESV_KEY, KEY_A);
        struct.put(16, hex("aaaaaaaa bb"));
        struct.put(MpathLayout.RESV_SCOPE_TYPE, (byte) 0x03);
        struct.put(22, hex("cccc"));
        assertWire(PrinTranslator.READ_RESERVATION,
                concat(GENERATION_WIRE, hex("00000010"), KEY_A, hex("00000000 00 03 0000")));
    }

    @Test
    public void reportCapabilitiesIsAllEightBytesBigEndian() {
        capabilities(8);
        assertWire(PrinTranslator.REPORT_CAPABILITIES, hex("0008 1d 81 ea01 0000"));
    }

    /** Some devices leave the length 0; the client gets the length of what it receives. */
    @Test
    public void reportCapabilitiesLengthZeroBecomesEight() {
        capabilities(0);
        assertWire(PrinTranslator.REPORT_CAPABILITIES, hex("0008 1d 81 ea01 0000"));
    }

    /**
     * A registrant on SAS, and the holder (R_HOLDER 0x01 | ALL_TG_PT 0x02, scope LU, type 5) on iSCSI
     * with its name padded to a multiple of 4.
     */
    @Test
    public void readFullStatusRebuildsEveryDescriptor() {
        descriptors(FIRST, SECOND);
        descriptor(FIRST, KEY_A, 0x00, 0x00, 0x0102, transportIdStruct(0, TransportIds.SAS, SAS_ADDRESS));
        descriptor(SECOND, KEY_B, 0x03, 0x05, 0x8001, transportIdStruct(0, TransportIds.ISCSI, text(ISCSI_NAME)));
        assertWire(PrinTranslator.READ_FULL_STATUS, concat(GENERATION_WIRE, hex("0000006c"),
                KEY_A, hex("00000000 00 00 0000 0000 0102 00000018"), SAS,
                KEY_B, hex("00000000 03 05 0000 0000 8001 00000024"), ISCSI));
    }

    /** An iSCSI ID is at least 24 bytes even when the name is shorter. */
    @Test
    public void readFullStatusPadsShortIscsiNamesToTwentyFourBytesAndPassesFc() {
        descriptors(SECOND, FIRST);
        descriptor(SECOND, KEY_A, 0x00, 0x00, 0x0001, transportIdStruct(0, TransportIds.ISCSI, text("iqn.a")));
        descriptor(FIRST, KEY_C, 0x00, 0x00, 0x0002, transportIdStruct(0, TransportIds.FC, FC_NAME));
        assertWire(PrinTranslator.READ_FULL_STATUS, concat(GENERATION_WIRE, hex("00000060"),
                KEY_A, hex("00000000 00 00 0000 0000 0001 00000018"),
                hex("05 00 0014"), text("iqn.a"), new byte[15],
                KEY_C, hex("00000000 00 00 0000 0000 0002 00000018"), FC));
    }

    @Test
    public void readFullStatusWithoutDescriptorsIsTheHeaderOnly() {
        descriptors();
        assertWire(PrinTranslator.READ_FULL_STATUS, concat(GENERATION_WIRE, hex("00000000")));
    }

    /**
     * The second descriptor does not fit and is left out; the third would, but a device does not skip
     * one and send the next. The additional length still counts all three, as a device's does.
     */
    @Test
    public void readFullStatusStopsAtTheBufferEndButCountsEverything() {
        int third = SECOND + MpathLayout.FULLDESCR_SIZE;
        descriptors(FIRST, SECOND, third);
        descriptor(FIRST, KEY_A, 0x00, 0x00, 0x0001, transportIdStruct(0, TransportIds.FC, FC_NAME));
        descriptor(SECOND, KEY_B, 0x00, 0x00, 0x0002, transportIdStruct(0, TransportIds.ISCSI, text(ISCSI_NAME)));
        descriptor(third, KEY_C, 0x00, 0x00, 0x0003, transportIdStruct(0, TransportIds.SAS, SAS_ADDRESS));
        out = repeat(8 + 48 + 50, 0xEE);
        byte[] expected = concat(GENERATION_WIRE, hex("0000009c"), KEY_A,
                hex("00000000 00 00 0000 0000 0001 00000018"), FC);
        assertWire(PrinTranslator.READ_FULL_STATUS, expected);
    }

    /** The library's pointers must lie in its private buffer, whole descriptors and all. */
    @Test
    public void readFullStatusRejectsAPointerOutsideThePrivateBuffer() {
        long lastValid = MpathLayout.FULL_DESCRIPTORS - MpathLayout.FULLDESCR_SIZE;
        for (long offset : new long[] {-BASE, -1, 0, FIRST - 1, lastValid + 1, MpathLayout.FULL_DESCRIPTORS}) {
            descriptors(FIRST, offset);
            assertEquals("descriptor at offset " + offset, -1, translate(PrinTranslator.READ_FULL_STATUS));
        }
        descriptors(FIRST, lastValid);
        assertEquals(8 + 2 * 48, translate(PrinTranslator.READ_FULL_STATUS));
    }

    /** Past 30 descriptors the library has written over its own pointer list: nothing there is sound. */
    @Test
    public void readFullStatusRejectsMoreDescriptorsThanThePrivateBufferHolds() {
        long[] thirty = new long[30];
        for (int i = 0; i < thirty.length; i++) {
            thirty[i] = FIRST + (long) i * MpathLayout.FULLDESCR_SIZE;
        }
        descriptors(thirty);
        assertEquals(8 + 30 * 48, translate(PrinTranslator.READ_FULL_STATUS));
        long[] thirtyOne = Arrays.copyOf(thirty, 31);
        thirtyOne[30] = FIRST; // a sound pointer: the count alone must be refused
        descriptors(thirtyOne);
        assertEquals("count 31", -1, translate(PrinTranslator.READ_FULL_STATUS));
        for (int count : new int[] {342, -1}) {
            struct.putInt(MpathLayout.FULL_NUMBER_OF_DESCRIPTORS, count);
            assertEquals("count " + Integer.toUnsignedString(count), -1, translate(PrinTranslator.READ_FULL_STATUS));
        }
    }

    private int translate(int serviceAction) {
        return PrinTranslator.toWire(serviceAction, struct, BASE, out);
    }

    /** The bytes returned are exactly {@code expected}, and nothing after them was touched. */
    private void assertWire(int serviceAction, byte[] expected) {
        int length = translate(serviceAction);
        assertArrayEquals(expected, Arrays.copyOf(out, length));
        assertArrayEquals("bytes after the result", repeat(out.length - length, 0xEE),
                Arrays.copyOfRange(out, length, out.length));
    }

    private void header(int additionalLength) {
        struct.putInt(MpathLayout.PRIN_GENERATION, GENERATION);
        struct.putInt(MpathLayout.PRIN_ADDITIONAL_LENGTH, additionalLength);
    }

    private void readKeys(int additionalLength, byte[] keys) {
        header(additionalLength);
        struct.put(MpathLayout.READKEYS_KEY_LIST, keys);
    }

    /** CRH, SIP_C, ATP_C, PTPL_C; TMV, PTPL_A; every type but the obsolete ones. */
    private void capabilities(int length) {
        struct.putShort(MpathLayout.CAP_LENGTH, (short) length);
        struct.put(MpathLayout.CAP_FLAGS, hex("1d 81"));
        struct.putShort(MpathLayout.CAP_TYPE_MASK, (short) 0xea01);
    }

    /** The generation, the count and a pointer per descriptor, at these offsets from the struct. */
    private void descriptors(long... offsets) {
        struct.putInt(MpathLayout.PRIN_GENERATION, GENERATION);
        struct.putInt(MpathLayout.FULL_NUMBER_OF_DESCRIPTORS, offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            struct.putLong(MpathLayout.FULL_DESCRIPTORS + i * MpathLayout.POINTER_SIZE, BASE + offsets[i]);
        }
    }

    private void descriptor(int at, byte[] key, int flag, int scopeType, int rtpi, byte[] transportId) {
        struct.put(at + MpathLayout.FD_KEY, key);
        struct.put(at + MpathLayout.FD_FLAG, (byte) flag);
        struct.put(at + MpathLayout.FD_SCOPE_TYPE, (byte) scopeType);
        struct.putShort(at + MpathLayout.FD_RTPI, (short) rtpi);
        struct.put(at + MpathLayout.FD_TRANSPORT_ID, transportId);
    }
}
