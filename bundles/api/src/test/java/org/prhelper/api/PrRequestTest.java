package org.prhelper.api;

import static org.junit.Assert.assertEquals;
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
}
