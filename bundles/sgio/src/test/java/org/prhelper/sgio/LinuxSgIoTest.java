package org.prhelper.sgio;

import static org.junit.Assert.assertEquals;

import org.junit.Test;
import org.prhelper.api.PrRequest;

public class LinuxSgIoTest {
    /**
     * Nothing of the previous command reaches the device's reply: a device may leave reserved bytes
     * of its data unwritten (LIO's READ FULL STATUS does), and when the kernel maps this buffer for
     * the transfer those bytes are whatever the buffer held; qemu-pr-helper returns zeros there.
     */
    @Test
    public void theDataAreaIsZeroedBeforeAPrIn() {
        LinuxSgIo io = new LinuxSgIo(30_000);
        LinuxSgIo.Buffer buffer = new LinuxSgIo.Buffer();
        buffer.data.setMemory(0, PrRequest.MAX_TRANSFER, (byte) 0x5A);
        io.prepare(buffer, PrRequest.CDB_SIZE, SgIoHeader.DXFER_FROM_DEV, PrRequest.MAX_TRANSFER);
        byte[] data = buffer.data.getByteArray(0, PrRequest.MAX_TRANSFER);
        for (int i = 0; i < data.length; i++) {
            assertEquals("data byte " + i, 0, data[i]);
        }
        assertEquals(SgIoHeader.DXFER_FROM_DEV, buffer.memory.getInt(SgIoHeader.DXFER_DIRECTION));
        assertEquals(PrRequest.MAX_TRANSFER, buffer.memory.getInt(SgIoHeader.DXFER_LEN));
    }
}
