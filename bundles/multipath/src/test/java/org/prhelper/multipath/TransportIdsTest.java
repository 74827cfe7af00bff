package org.prhelper.multipath;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.prhelper.multipath.Bytes.FC;
import static org.prhelper.multipath.Bytes.ISCSI;
import static org.prhelper.multipath.Bytes.ISCSI_PORT;
import static org.prhelper.multipath.Bytes.ISCSI_PORT_NAME;
import static org.prhelper.multipath.Bytes.SAS;
import static org.prhelper.multipath.Bytes.concat;
import static org.prhelper.multipath.Bytes.hex;
import static org.prhelper.multipath.Bytes.repeat;
import static org.prhelper.multipath.Bytes.text;
import static org.prhelper.multipath.Bytes.transportIdStruct;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.Test;

/**
 * Transport IDs between the wire and {@code struct transportid}. The library fills the struct one way
 * for READ FULL STATUS and reads it another way for PR OUT (iSCSI), so the round trips go through a
 * model of what the library does with it, taken from its source (multipath-tools 0.9).
 */
public class TransportIdsTest {
    private static final int AT = 16;

    private final ByteBuffer struct = Bytes.nativeBuffer(AT + MpathLayout.TRANSPORTID_SIZE);

    @Test
    public void wireLengthIsTheWholeId() {
        for (byte[] id : List.of(FC, SAS, ISCSI, ISCSI_PORT)) {
            byte[] twoIds = concat(id, FC);
            assertEquals(id.length, TransportIds.wireLength(twoIds, 0, twoIds.length));
            assertEquals(FC.length, TransportIds.wireLength(twoIds, id.length, twoIds.length));
        }
    }

    /** FC and SAS structs are alike both ways, so the translator's own toWire gives the ID back. */
    @Test
    public void fcAndSasComeBackUnchanged() {
        for (byte[] id : List.of(FC, SAS)) {
            TransportIds.toStruct(id, 0, id.length, struct, AT);
            assertArrayEquals(id, TransportIds.toWire(struct, AT));
        }
    }

    /** What the device receives for a registration is what the client sent, for every protocol. */
    @Test
    public void theLibrarySendsEveryIdAsTheClientSentIt() {
        for (byte[] id : List.of(FC, SAS, ISCSI, ISCSI_PORT)) {
            byte[] withGarbage = concat(hex("ffff"), id, hex("ffff"));
            TransportIds.toStruct(withGarbage, 2, id.length, struct, AT);
            assertArrayEquals(id, sentByTheLibrary(struct, AT));
        }
    }

    /** decode_transport_id keeps the format code shifted down (01) and the name without its length. */
    @Test
    public void readFullStatusIscsiFormComesBackAsTheDeviceSentIt() {
        struct.put(AT, transportIdStruct(1, TransportIds.ISCSI, text(ISCSI_PORT_NAME)));
        assertArrayEquals(ISCSI_PORT, TransportIds.toWire(struct, AT));
        struct.put(AT, (byte) 0x40);
        assertArrayEquals("format code held in place", ISCSI_PORT, TransportIds.toWire(struct, AT));
    }

    /** The library copies up to 256 name bytes; without a NUL the name is cut to fit a 256-byte ID. */
    @Test
    public void anIscsiNameFillingTheFieldIsCutAndTerminated() {
        struct.put(AT, transportIdStruct(0, TransportIds.ISCSI, repeat(256, 'n')));
        assertArrayEquals(concat(hex("05 00 00fc"), repeat(251, 'n'), hex("00")), TransportIds.toWire(struct, AT));
    }

    @Test
    public void anUnknownProtocolKeepsOnlyItsFirstByte() {
        struct.put(AT, transportIdStruct(1, 0x01, repeat(8, 0x77)));
        assertArrayEquals(concat(hex("41"), new byte[23]), TransportIds.toWire(struct, AT));
    }

    /** libmpathpersist's format_transportids for one struct: what goes to the device. */
    private static byte[] sentByTheLibrary(ByteBuffer s, int at) {
        int protocol = s.get(at + 1);
        byte[] wire;
        if (protocol == TransportIds.ISCSI) {
            // memcpy(&buf[2], iscsi_name, iscsi_name[1] + 2)
            wire = new byte[2 + (s.get(at + 3) & 0xFF) + 2];
            s.get(at + 2, wire, 2, wire.length - 2);
        } else {
            // FC: n_port_name at wire byte 8; SAS: sas_address at 4; 24 bytes either way.
            wire = new byte[24];
            s.get(at + 2, wire, protocol == TransportIds.FC ? 8 : 4, 8);
        }
        wire[0] = (byte) (s.get(at) | protocol);
        return wire;
    }
}
