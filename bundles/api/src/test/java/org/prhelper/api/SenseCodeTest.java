package org.prhelper.api;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class SenseCodeTest {
    private static byte[] sense(int... bytes) {
        byte[] b = new byte[PrResponse.SENSE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    @Test
    public void readsFixedFormatCurrentAndDeferred() {
        assertEquals(new SenseCode(0x06, 0x2A, 0x03), SenseCode.of(sense(0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x2A, 0x03)));
        // The VALID bit (0x80) set, and the FILEMARK/EOM/ILI bits beside the key.
        assertEquals(new SenseCode(0x05, 0x24, 0x00), SenseCode.of(sense(0xF1, 0, 0xE5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0x00)));
    }

    @Test
    public void readsDescriptorFormat() {
        assertEquals(new SenseCode(0x0B, 0x08, 0x00), SenseCode.of(sense(0x72, 0x0B, 0x08, 0x00)));
        assertEquals(new SenseCode(0x02, 0x04, 0x03), SenseCode.of(sense(0x73, 0x02, 0x04, 0x03)));
    }

    @Test
    public void anythingElseIsNone() {
        assertEquals(SenseCode.NONE, SenseCode.of(sense()));
        assertEquals(SenseCode.NONE, SenseCode.of(sense(0x7F, 0x05, 0x20, 0x00)));
        assertEquals(SenseCode.NONE, SenseCode.of(null));
        assertEquals(SenseCode.NONE, SenseCode.of(new byte[] {0x70, 0, 5}));
        assertEquals(SenseCode.NONE, SenseCode.of(new byte[] {0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20}));
    }

    @Test
    public void readsWhatCheckConditionWrites() {
        PrResponse r = new PrResponse();
        r.checkCondition(SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS);
        assertEquals(SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS, SenseCode.of(r.sense()));
    }
}
