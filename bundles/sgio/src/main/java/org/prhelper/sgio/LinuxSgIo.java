package org.prhelper.sgio;

import java.util.concurrent.atomic.AtomicLong;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one PERSISTENT RESERVE command (or a TEST UNIT READY) through the SG_IO ioctl. Each thread has its own native buffer
 * (header, CDB, sense, data), reused for all its requests, so the hot path allocates nothing; JNA
 * frees a buffer once its thread and this object no longer reach it.
 */
final class LinuxSgIo {
    private static final int CDB_OFFSET = SgIoHeader.SIZE;
    private static final int SENSE_OFFSET = CDB_OFFSET + PrRequest.CDB_SIZE;
    private static final int DATA_OFFSET = SENSE_OFFSET + PrResponse.SENSE_SIZE;
    private static final int BUFFER_SIZE = DATA_OFFSET + PrRequest.MAX_TRANSFER;
    private static final int TEST_UNIT_READY_CDB_SIZE = 6;
    private static final int EPERM = 1;
    private static final Logger LOG = LoggerFactory.getLogger(LinuxSgIo.class);

    private final AtomicLong refusals = new AtomicLong();

    private final int timeoutMillis;
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

    LinuxSgIo(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Sends the request's CDB to {@code fd} and fills the response. PR IN always asks for the largest
     * transfer, as qemu-pr-helper does (the device honours the CDB's allocation length), and the data
     * returned is capped to the request's transfer length.
     */
    void execute(int fd, PrRequest request, PrResponse response) {
        Buffer buffer = buffers.get();
        boolean out = request.isOut();
        int dxferLen = out ? request.parameterLength() : PrRequest.MAX_TRANSFER;
        prepare(buffer, PrRequest.CDB_SIZE, out ? SgIoHeader.DXFER_TO_DEV : SgIoHeader.DXFER_FROM_DEV, dxferLen);
        buffer.memory.write(CDB_OFFSET, request.cdb(), 0, PrRequest.CDB_SIZE);
        if (out) {
            buffer.memory.write(DATA_OFFSET, request.parameters(), 0, dxferLen);
        }
        submit(fd, buffer, dxferLen, response);

        // PR OUT returns no data; PR IN returns at most what the client asked for.
        int length = out ? 0 : Math.min(response.dataLength(), request.transferLength());
        buffer.memory.read(DATA_OFFSET, response.data(), 0, length);
        response.dataLength(length);
    }

    /**
     * Sends TEST UNIT READY (6-byte CDB of zeros, no data): it changes nothing on the device, and its
     * status and sense tell what state the logical unit is in.
     */
    void testUnitReady(int fd, PrResponse response) {
        Buffer buffer = buffers.get();
        prepare(buffer, TEST_UNIT_READY_CDB_SIZE, SgIoHeader.DXFER_NONE, 0);
        submit(fd, buffer, 0, response);
        response.dataLength(0);
    }

    /**
     * Zeroes header, CDB, sense and the data the device may return (nothing from the previous command
     * survives) and fills the header. The data must be zeroed: when the kernel maps this buffer for
     * the transfer instead of copying through a zeroed bounce buffer (it depends on the buffer's
     * alignment), a device that leaves reserved bytes unwritten (LIO's READ FULL STATUS does) would
     * return the previous command's bytes in them, where qemu-pr-helper returns zeros.
     */
    void prepare(Buffer buffer, int cdbLength, int direction, int dxferLen) {
        Memory memory = buffer.memory;
        memory.clear(direction == SgIoHeader.DXFER_FROM_DEV ? DATA_OFFSET + dxferLen : DATA_OFFSET);
        memory.setInt(SgIoHeader.INTERFACE_ID, SgIoHeader.INTERFACE_ID_SCSI);
        memory.setInt(SgIoHeader.DXFER_DIRECTION, direction);
        memory.setByte(SgIoHeader.CMD_LEN, (byte) cdbLength);
        memory.setByte(SgIoHeader.MX_SB_LEN, (byte) PrResponse.SENSE_SIZE);
        memory.setInt(SgIoHeader.DXFER_LEN, dxferLen);
        memory.setPointer(SgIoHeader.DXFERP, buffer.data);
        memory.setPointer(SgIoHeader.CMDP, buffer.cdb);
        memory.setPointer(SgIoHeader.SBP, buffer.sense);
        memory.setInt(SgIoHeader.TIMEOUT, timeoutMillis);
    }

    private void submit(int fd, Buffer buffer, int dxferLen, PrResponse response) {
        Memory memory = buffer.memory;
        int errno = 0;
        if (Libc.ioctl(fd, SgIoHeader.SG_IO, memory) < 0) {
            // JNA keeps errno per thread; a LastErrorException instead would cost a stack trace and a
            // strerror message per failed call (a descriptor that is not a SCSI device fails every time).
            errno = Native.getLastError();
            if (errno == EPERM) {
                refused();
            }
        }
        int senseLength = memory.getByte(SgIoHeader.SB_LEN_WR) & 0xFF;
        memory.read(SENSE_OFFSET, buffer.senseCopy, 0, Math.min(senseLength, PrResponse.SENSE_SIZE));
        SgIoResultMapper.map(errno,
                memory.getShort(SgIoHeader.HOST_STATUS) & 0xFFFF,
                memory.getShort(SgIoHeader.DRIVER_STATUS) & 0xFFFF,
                memory.getByte(SgIoHeader.STATUS) & 0xFF,
                buffer.senseCopy, senseLength, dxferLen,
                memory.getInt(SgIoHeader.RESID),
                response);
    }

    /**
     * The kernel lets a process without CAP_SYS_RAWIO send only a short list of harmless commands;
     * PERSISTENT RESERVE is not among them. The client only sees an I/O error (as with
     * qemu-pr-helper), so say why here: on the 1st, 2nd, 4th, 8th... refusal.
     */
    private void refused() {
        long n = refusals.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.warn("SG_IO refused with EPERM ({} time(s) so far): the agent lacks CAP_SYS_RAWIO. Run it as root, "
                    + "with -u/-g (which keep that capability), or with AmbientCapabilities=CAP_SYS_RAWIO", n);
        }
    }

    /** One thread's native memory and fixed pointers into it. */
    static final class Buffer {
        final Memory memory = new Memory(BUFFER_SIZE);
        final Pointer cdb = memory.share(CDB_OFFSET, PrRequest.CDB_SIZE);
        final Pointer sense = memory.share(SENSE_OFFSET, PrResponse.SENSE_SIZE);
        final Pointer data = memory.share(DATA_OFFSET, PrRequest.MAX_TRANSFER);
        /** The sense bytes in Java, for the mapper, which knows nothing of native memory. */
        final byte[] senseCopy = new byte[PrResponse.SENSE_SIZE];
    }

    /** JNA direct mapping: bound once, on first use, and cheaper per call than an interface proxy. */
    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private Libc() {
        }

        static native int ioctl(int fd, long request, Pointer arg);
    }
}
