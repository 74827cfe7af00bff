package org.prhelper.multipath;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.prhelper.multipath.Bytes.BASE;
import static org.prhelper.multipath.Bytes.FC;
import static org.prhelper.multipath.Bytes.FC_NAME;
import static org.prhelper.multipath.Bytes.ISCSI;
import static org.prhelper.multipath.Bytes.ISCSI_NAME;
import static org.prhelper.multipath.Bytes.ISCSI_PORT;
import static org.prhelper.multipath.Bytes.ISCSI_PORT_NAME;
import static org.prhelper.multipath.Bytes.SAS;
import static org.prhelper.multipath.Bytes.SAS_ADDRESS;
import static org.prhelper.multipath.Bytes.be32;
import static org.prhelper.multipath.Bytes.concat;
import static org.prhelper.multipath.Bytes.hex;
import static org.prhelper.multipath.Bytes.repeat;
import static org.prhelper.multipath.Bytes.text;
import static org.prhelper.multipath.Bytes.transportIdStruct;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Before;
import org.junit.Test;
import org.prhelper.api.SenseCode;

/** PR OUT parameter lists (SPC wire format) into {@code struct prout_param_descriptor}. */
public class ProutTranslatorTest {
    private static final int APTPL = 0x01;
    private static final int ALL_TG_PT = 0x04;
    private static final int SPEC_I_PT = 0x08;
    /** The structs of the transport IDs, one after another in our buffer behind the pointer list. */
    private static final int AREA = MpathLayout.PROUT_TRANSPORTID_AREA;

    private final ByteBuffer struct = Bytes.nativeBuffer(MpathLayout.PROUT_BUFFER_SIZE);

    /** Leftovers of an earlier command, which the translator must not pass on. */
    @Before
    public void dirtyTheBuffer() {
        struct.put(0, repeat(struct.capacity(), 0xEE));
    }

    @Test
    public void listsShorterThan24OrBetween24And28AreParameterListLengthErrors() {
        for (int length : new int[] {0, 23, 25, 26, 27}) {
            assertEquals("length " + length, SenseCode.PARAMETER_LIST_LENGTH_ERROR,
                    translate(basic(SPEC_I_PT), length));
        }
    }

    /** Keys and flags go where the library sends them from; obsolete and reserved fields are zeroed. */
    @Test
    public void theBasicListGivesKeysAndFlags() {
        for (int flags : new int[] {APTPL, ALL_TG_PT, SPEC_I_PT, APTPL | ALL_TG_PT | SPEC_I_PT}) {
            assertNull(translate(basic(flags), 24));
            assertArrayEquals("flags " + flags,
                    concat(hex("0102030405060708 1112131415161718 00000000"), new byte[] {(byte) flags},
                            hex("00 0000")),
                    Bytes.slice(struct, 0, 24));
            assertEquals(0, struct.getInt(MpathLayout.PROUT_NUM_TRANSPORTID));
        }
    }

    @Test
    public void anEmptyTransportIdListIsNoTransportId() {
        assertNull(translate(withIds(), 28));
        assertEquals(0, struct.getInt(MpathLayout.PROUT_NUM_TRANSPORTID));
    }

    @Test
    public void anFcIdKeepsItsNPortName() {
        assertIds(FC, transportIdStruct(0x00, TransportIds.FC, FC_NAME));
    }

    @Test
    public void aSasIdKeepsItsAddress() {
        assertIds(SAS, transportIdStruct(0x00, TransportIds.SAS, SAS_ADDRESS));
    }

    /** The library sends the 2 bytes of additional length from the struct too (format_transportids). */
    @Test
    public void anIscsiDeviceNameKeepsItsLengthAndName() {
        assertIds(ISCSI, transportIdStruct(0x00, TransportIds.ISCSI, concat(hex("0020"), text(ISCSI_NAME))));
    }

    /** Format code 01 stays in place (0x40): the library ORs it with the protocol for the wire. */
    @Test
    public void anIscsiPortIdentifierKeepsItsFormatCode() {
        assertIds(ISCSI_PORT, transportIdStruct(0x40, TransportIds.ISCSI, concat(hex("0030"), text(ISCSI_PORT_NAME))));
    }

    @Test
    public void severalIdsFillOneStructEachInOrder() {
        assertIds(concat(ISCSI_PORT, FC, SAS, ISCSI),
                transportIdStruct(0x40, TransportIds.ISCSI, concat(hex("0030"), text(ISCSI_PORT_NAME))),
                transportIdStruct(0x00, TransportIds.FC, FC_NAME),
                transportIdStruct(0x00, TransportIds.SAS, SAS_ADDRESS),
                transportIdStruct(0x00, TransportIds.ISCSI, concat(hex("0020"), text(ISCSI_NAME))));
    }

    /** MPATH_MX_TIDS: the library has room for 32 pointers and no more. */
    @Test
    public void thirtyTwoIdsFitAndThirtyThreeDoNot() {
        byte[][] structs = new byte[32][];
        Arrays.fill(structs, transportIdStruct(0x00, TransportIds.FC, FC_NAME));
        assertIds(repeatId(FC, 32), structs);
        byte[] list = withIds(repeatId(FC, 33));
        assertEquals(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST, translate(list, list.length));
    }

    @Test
    public void malformedTransportIdsAreInvalidFieldInParameterList() {
        Map<String, byte[]> lists = new LinkedHashMap<>();
        lists.put("unknown protocol 1 (SCSI parallel)", withIds(concat(hex("01"), Arrays.copyOfRange(FC, 1, 24))));
        lists.put("iSCSI length 22, not a multiple of 4", withIds(concat(hex("05 00 0016"), text("iqn.a"), new byte[17])));
        lists.put("iSCSI length 0", withIds(hex("05 00 0000")));
        lists.put("iSCSI length 256, more than the library's field holds",
                withIds(concat(hex("05 00 0100"), text("iqn.a"), new byte[251])));
        lists.put("iSCSI name without NUL", withIds(concat(hex("05 00 0014"), repeat(20, 'a'))));
        lists.put("an FC ID running past the declared length", declaring(20, FC));
        lists.put("an iSCSI ID running past the declared length", declaring(ISCSI.length - 4, ISCSI));
        lists.put("less than an ID header left", declaring(26, concat(FC, hex("0000"))));
        lists.put("a declared length running past the list", declaring(48, FC));
        for (Map.Entry<String, byte[]> list : lists.entrySet()) {
            assertEquals(list.getKey(), SenseCode.INVALID_FIELD_IN_PARAMETER_LIST,
                    translate(list.getValue(), list.getValue().length));
        }
    }

    private SenseCode translate(byte[] list, int length) {
        return ProutTranslator.toStruct(Arrays.copyOf(list, 8192), length, struct, BASE);
    }

    /** The 24-byte list: key, service action key, obsolete, flags, reserved, obsolete (not zero here). */
    private static byte[] basic(int flags) {
        return concat(hex("0102030405060708 1112131415161718 aabbccdd"), new byte[] {(byte) flags}, hex("ee ff11"));
    }

    private static byte[] withIds(byte[]... ids) {
        byte[] all = concat(ids);
        return declaring(all.length, all);
    }

    /** A list with SPEC_I_PT whose transport ID length field says {@code declared}, followed by {@code ids}. */
    private static byte[] declaring(int declared, byte[] ids) {
        return concat(basic(SPEC_I_PT), be32(declared), ids);
    }

    private static byte[] repeatId(byte[] id, int count) {
        byte[][] ids = new byte[count][];
        Arrays.fill(ids, id);
        return concat(ids);
    }

    /** The list with these IDs is accepted, and the struct counts, points to and holds exactly these. */
    private void assertIds(byte[] ids, byte[]... expected) {
        byte[] list = withIds(ids);
        assertNull(translate(list, list.length));
        assertEquals(expected.length, struct.getInt(MpathLayout.PROUT_NUM_TRANSPORTID));
        for (int i = 0; i < expected.length; i++) {
            assertEquals("pointer " + i, BASE + AREA + i * 258L,
                    struct.getLong(MpathLayout.PROUT_TRANSPORTID_LIST + i * 8));
            assertArrayEquals("struct " + i, expected[i], Bytes.slice(struct, AREA + i * 258, 258));
        }
    }
}
