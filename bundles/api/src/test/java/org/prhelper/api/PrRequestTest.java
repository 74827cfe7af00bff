package org.prhelper.api;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class PrRequestTest {
    @Test
    public void theParameterBufferHoldsWhatTheLengthSaysAndNoMore() {
        PrRequest request = new PrRequest();
        assertEquals("a PR IN carries no list, so none is held", 0, request.parameters().length);
        request.parameterLength(24);
        assertEquals(24, request.parameters().length);
        request.parameters()[23] = 0x5A;
        request.parameterLength(8192);
        assertTrue(request.parameters().length >= 8192);
        assertEquals("growing keeps what was written", 0x5A, request.parameters()[23]);
        byte[] big = request.parameters();
        request.parameterLength(24);
        assertSame("a shorter list reuses the buffer", big, request.parameters());
        assertThrows(IllegalArgumentException.class, () -> request.parameterLength(8193));
        assertThrows(IllegalArgumentException.class, () -> request.parameterLength(-1));
    }

    @Test
    public void aCopiedCommandHasTheCdbAndListButNotTheDevice() {
        PrRequest original = new PrRequest();
        original.cdb()[0] = (byte) PrRequest.OPCODE_PR_OUT;
        original.cdb()[1] = 0x06;
        original.cdb()[15] = 0x7F;
        original.parameterLength(24);
        original.parameters()[8] = 0x11;
        original.parameters()[23] = 0x22;
        original.device(() -> 7);
        PrRequest copy = new PrRequest();
        copy.parameterLength(40);
        copy.parameters()[30] = 0x33;
        copy.commandOf(original);
        assertArrayEquals(original.cdb(), copy.cdb());
        assertEquals(24, copy.parameterLength());
        assertEquals(0x11, copy.parameters()[8]);
        assertEquals(0x22, copy.parameters()[23]);
        assertNull("the copy goes to a device of its own", copy.device());
        original.parameters()[8] = 0;
        assertEquals("the copy does not share the original's buffer", 0x11, copy.parameters()[8]);
    }
}
