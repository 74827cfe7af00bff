package org.prhelper.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.Test;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.codec.ScriptedChannel.Fd;

public class ServerProtocolTest {
    private final PrRequest request = new PrRequest();

    private static byte[] cdb(int opcode, int serviceAction, int length) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        cdb[1] = (byte) serviceAction;
        cdb[7] = (byte) (length >> 8);
        cdb[8] = (byte) length;
        return cdb;
    }

    private ReadOutcome read(ScriptedChannel ch) throws IOException {
        return new ServerProtocol(ch).readRequest(request);
    }

    @Test
    public void handshakeSendsZeroAndAcceptsZero() throws IOException {
        ScriptedChannel ch = new ScriptedChannel().chunk(new byte[4]);
        ServerProtocol p = new ServerProtocol(ch);
        assertTrue(p.start());
        assertArrayEquals(new byte[4], ch.written.toByteArray());
        assertEquals(ReadOutcome.END_OF_STREAM, p.readRequest(request));
    }

    @Test
    public void handshakeRefusesUnofferedFeature() throws IOException {
        assertEquals(ReadOutcome.REFUSED_FEATURES, read(new ScriptedChannel().chunk(new byte[] {0, 0, 0, 1})));
        assertEquals(ReadOutcome.REFUSED_FEATURES, read(new ScriptedChannel().chunk(new byte[] {(byte) 0x80, 0, 0, 0})));
    }

    @Test
    public void handshakeEndsOnEofAndClosesStrayFds() throws IOException {
        Fd stray = new Fd(7);
        ScriptedChannel ch = new ScriptedChannel().chunk(new byte[] {0, 0}, stray);
        assertEquals(ReadOutcome.END_OF_STREAM, read(ch));
        assertTrue(stray.closed);
    }

    @Test
    public void readingResumesWhereTheChannelHadNothingMore() throws IOException {
        Fd fd = new Fd(5);
        byte[] c = cdb(0x5F, 0, 24);
        byte[] params = new byte[24];
        params[23] = 0x42;
        ScriptedChannel ch = new ScriptedChannel().chunk(new byte[] {0, 0}).pause().chunk(new byte[] {0, 0})
                .chunk(Arrays.copyOf(c, 5), fd).pause().chunk(Arrays.copyOfRange(c, 5, 16)).pause()
                .chunk(Arrays.copyOf(params, 20)).pause().chunk(Arrays.copyOfRange(params, 20, 24));
        ServerProtocol p = new ServerProtocol(ch);
        assertEquals(ReadOutcome.INCOMPLETE, p.readRequest(request));
        assertEquals(ReadOutcome.INCOMPLETE, p.readRequest(request));
        assertFalse("a descriptor of an incomplete request stays open", fd.closed);
        assertEquals(ReadOutcome.INCOMPLETE, p.readRequest(request));
        assertEquals(ReadOutcome.INCOMPLETE, p.readRequest(request));
        assertEquals(ReadOutcome.REQUEST, p.readRequest(request));
        assertSame(fd, request.device());
        assertArrayEquals(params, Arrays.copyOf(request.parameters(), 24));
    }

    @Test
    public void discardClosesTheDescriptorOfAPartlyReadRequest() throws IOException {
        Fd fd = new Fd(5);
        ServerProtocol p = new ServerProtocol(ScriptedChannel.handshaken().chunk(Arrays.copyOf(cdb(0x5E, 0, 8), 3), fd)
                .pause());
        assertEquals(ReadOutcome.INCOMPLETE, p.readRequest(request));
        assertFalse(fd.closed);
        p.discard();
        assertTrue(fd.closed);
    }

    @Test
    public void aReplyTheSocketHasNoRoomForIsFinishedByFlush() throws IOException {
        int[] room = {10};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireChannel slow = new WireChannel() {
            @Override
            public int read(byte[] buf, int off, int len) {
                return -1;
            }

            @Override
            public ReceivedFd[] takeFds() {
                return new ReceivedFd[0];
            }

            @Override
            public int write(byte[] buf, int off, int len) {
                int n = Math.min(len, room[0]);
                out.write(buf, off, n);
                room[0] -= n;
                return n;
            }
        };
        ServerProtocol p = new ServerProtocol(slow);
        request.cdb()[0] = 0x5E;
        request.cdb()[8] = 4;
        PrResponse r = new PrResponse();
        r.reset();
        r.status(ScsiStatus.GOOD);
        r.dataLength(4);
        assertFalse(p.writeResponse(request, r));
        assertEquals(10, out.size());
        assertFalse(p.flush());
        room[0] = 1000;
        assertTrue(p.flush());
        assertEquals(ServerProtocol.REPLY_HEADER_SIZE + 4, out.size());
    }

    @Test
    public void prInWithFdOnFirstChunk() throws IOException {
        Fd fd = new Fd(5);
        assertEquals(ReadOutcome.REQUEST, read(ScriptedChannel.handshaken().chunk(cdb(0x5E, 0, 8192), fd)));
        assertSame(fd, request.device());
        assertFalse(fd.closed);
        assertEquals(8192, request.transferLength());
        assertEquals(0, request.parameterLength());
    }

    @Test
    public void fdOnALaterChunkIsCollected() throws IOException {
        Fd fd = new Fd(5);
        byte[] c = cdb(0x5E, 1, 100);
        ScriptedChannel ch = ScriptedChannel.handshaken().chunk(Arrays.copyOfRange(c, 0, 3))
                .chunk(Arrays.copyOfRange(c, 3, 10), fd).chunk(Arrays.copyOfRange(c, 10, 16));
        assertEquals(ReadOutcome.REQUEST, read(ch));
        assertSame(fd, request.device());
        assertEquals(1, request.serviceAction());
    }

    @Test
    public void cdbByteByByteWithFdOnLastByte() throws IOException {
        Fd fd = new Fd(9);
        assertEquals(ReadOutcome.REQUEST, read(ScriptedChannel.handshaken().byteByByte(cdb(0x5E, 2, 8), 15, fd)));
        assertSame(fd, request.device());
        assertEquals(8, request.transferLength());
    }

    @Test
    public void noFdClosesConnection() throws IOException {
        assertEquals(ReadOutcome.NO_FD, read(ScriptedChannel.handshaken().chunk(cdb(0x5E, 0, 8))));
    }

    @Test
    public void twoFdsInOneMessageAreBothClosed() throws IOException {
        Fd a = new Fd(5), b = new Fd(6);
        assertEquals(ReadOutcome.TOO_MANY_FDS, read(ScriptedChannel.handshaken().chunk(cdb(0x5E, 0, 8), a, b)));
        assertTrue(a.closed && b.closed);
    }

    @Test
    public void fdsSpreadOverChunksCountTogether() throws IOException {
        Fd a = new Fd(5), b = new Fd(6), c = new Fd(7);
        byte[] x = cdb(0x5F, 0, 24);
        ScriptedChannel ch = ScriptedChannel.handshaken().chunk(Arrays.copyOfRange(x, 0, 8), a)
                .chunk(Arrays.copyOfRange(x, 8, 16), b, c);
        assertEquals(ReadOutcome.TOO_MANY_FDS, read(ch));
        assertTrue(a.closed && b.closed && c.closed);
    }

    @Test
    public void badOpcodeClosesFd() throws IOException {
        for (int opcode : new int[] {0x00, 0x12, 0x5D, 0x60, 0xFF}) {
            Fd fd = new Fd(5);
            assertEquals(ReadOutcome.BAD_OPCODE, read(ScriptedChannel.handshaken().chunk(cdb(opcode, 0, 8), fd)));
            assertTrue(fd.closed);
        }
    }

    @Test
    public void transferLengthLimitIs8192ForBothOpcodes() throws IOException {
        Fd in = new Fd(5);
        assertEquals(ReadOutcome.TOO_LONG, read(ScriptedChannel.handshaken().chunk(cdb(0x5E, 0, 8193), in)));
        assertTrue(in.closed);
        Fd out = new Fd(6);
        assertEquals(ReadOutcome.TOO_LONG, read(ScriptedChannel.handshaken().chunk(cdb(0x5F, 0, 0xFFFF), out)));
        assertTrue(out.closed);
        Fd ok = new Fd(7);
        assertEquals(ReadOutcome.REQUEST,
                read(ScriptedChannel.handshaken().chunk(cdb(0x5F, 0, 8192), ok).chunk(new byte[8192])));
        assertEquals(8192, request.parameterLength());
    }

    @Test
    public void prOutLengthComesFromBytes7And8NotTheFourByteField() throws IOException {
        byte[] c = cdb(0x5F, 0, 24);
        c[5] = 0x12; // the real PR OUT length field's high bytes are ignored by the protocol
        c[6] = 0x34;
        byte[] params = new byte[24];
        params[7] = 0x42;
        Fd fd = new Fd(5);
        ScriptedChannel ch = ScriptedChannel.handshaken().chunk(c, fd).chunk(Arrays.copyOf(params, 10))
                .chunk(Arrays.copyOfRange(params, 10, 24));
        assertEquals(ReadOutcome.REQUEST, read(ch));
        assertEquals(24, request.parameterLength());
        assertArrayEquals(params, Arrays.copyOf(request.parameters(), 24));
    }

    @Test
    public void prInLengthAlsoFromBytes7And8AndReadsNoData() throws IOException {
        byte[] c = cdb(0x5E, 0, 0x0102);
        c[5] = 0x7F;
        Fd fd = new Fd(5);
        ScriptedChannel ch = ScriptedChannel.handshaken().chunk(c, fd).chunk(cdb(0x5E, 0, 4), new Fd(6));
        ServerProtocol p = new ServerProtocol(ch);
        assertEquals(ReadOutcome.REQUEST, p.readRequest(request));
        assertEquals(0x0102, request.transferLength());
        // The next request follows immediately: nothing of it was consumed as data.
        assertEquals(ReadOutcome.REQUEST, p.readRequest(request));
        assertEquals(4, request.transferLength());
    }

    @Test
    public void eofInsideCdbClosesTheFdAlreadyReceived() throws IOException {
        Fd fd = new Fd(5);
        assertEquals(ReadOutcome.END_OF_STREAM,
                read(ScriptedChannel.handshaken().chunk(Arrays.copyOf(cdb(0x5E, 0, 8), 9), fd)));
        assertTrue(fd.closed);
    }

    @Test
    public void eofInsideParametersClosesTheFd() throws IOException {
        Fd fd = new Fd(5);
        assertEquals(ReadOutcome.END_OF_STREAM,
                read(ScriptedChannel.handshaken().chunk(cdb(0x5F, 0, 24), fd).chunk(new byte[10])));
        assertTrue(fd.closed);
    }

    @Test
    public void cleanEofBetweenRequests() throws IOException {
        assertEquals(ReadOutcome.END_OF_STREAM, read(ScriptedChannel.handshaken()));
    }

    @Test
    public void fdsArrivingWithParameterDataAreClosedAndIgnored() throws IOException {
        Fd fd = new Fd(5), stray = new Fd(6);
        ScriptedChannel ch = ScriptedChannel.handshaken().chunk(cdb(0x5F, 0, 24), fd).chunk(new byte[24], stray);
        assertEquals(ReadOutcome.REQUEST, read(ch));
        assertSame(fd, request.device());
        assertTrue(stray.closed);
        assertFalse(fd.closed);
    }

    @Test
    public void replyOfGoodPrInCarriesDataCappedToTransferLength() throws IOException {
        Fd fd = new Fd(5);
        ScriptedChannel ch = ScriptedChannel.handshaken().chunk(cdb(0x5E, 0, 6), fd);
        ServerProtocol p = new ServerProtocol(ch);
        p.readRequest(request);
        PrResponse r = new PrResponse();
        r.reset();
        byte[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        System.arraycopy(data, 0, r.data(), 0, data.length);
        r.dataLength(data.length);
        p.writeResponse(request, r);
        ByteBuffer out = ByteBuffer.wrap(ch.written.toByteArray());
        assertEquals(8 + 96 + 6, out.remaining());
        assertEquals(0, out.getInt());
        assertEquals(6, out.getInt());
        out.position(104);
        byte[] got = new byte[6];
        out.get(got);
        assertArrayEquals(Arrays.copyOf(data, 6), got);
    }

    /** The reply buffer grows with the data a connection's replies carry, up to 8192 bytes. */
    @Test
    public void repliesOfGrowingLengthOnOneConnectionGoOutWhole() throws IOException {
        ScriptedChannel ch = ScriptedChannel.handshaken();
        ServerProtocol p = new ServerProtocol(ch);
        request.cdb()[0] = 0x5E;
        request.cdb()[7] = (byte) (8192 >> 8);
        int before = 0;
        for (int length : new int[] {0, 24, 8192, 16, 8192}) {
            PrResponse r = new PrResponse();
            r.reset();
            for (int i = 0; i < length; i++) {
                r.data()[i] = (byte) (i * 7 + length);
            }
            r.dataLength(length);
            assertTrue(p.writeResponse(request, r));
            ByteBuffer out = ByteBuffer.wrap(ch.written.toByteArray());
            out.position(before);
            assertEquals("reply of " + length + " bytes", 104 + length, out.remaining());
            assertEquals(0, out.getInt());
            assertEquals(length, out.getInt());
            out.position(before + 104);
            byte[] got = new byte[length];
            out.get(got);
            assertArrayEquals(Arrays.copyOf(r.data(), length), got);
            before += 104 + length;
        }
    }

    @Test
    public void replyOfCheckConditionHasSenseAndNoData() {
        request.cdb()[0] = 0x5E;
        request.cdb()[8] = 100;
        PrResponse r = new PrResponse();
        r.reset();
        r.dataLength(50);
        r.checkCondition(SenseCode.IO_ERROR);
        byte[] out = new byte[8 + 96 + 8192];
        int n = ServerProtocol.encode(request, r, out);
        assertEquals(104, n);
        assertEquals(ScsiStatus.CHECK_CONDITION, ByteBuffer.wrap(out).getInt(0));
        assertEquals(0, ByteBuffer.wrap(out).getInt(4));
        byte[] expectSense = new byte[96];
        byte[] fixed = {0x70, 0, 0x0B, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x00, 0x06, 0, 0, 0, 0};
        System.arraycopy(fixed, 0, expectSense, 0, fixed.length);
        assertArrayEquals(expectSense, Arrays.copyOfRange(out, 8, 104));
    }

    @Test
    public void replyOfPrOutNeverCarriesData() {
        request.cdb()[0] = 0x5F;
        request.cdb()[8] = 24;
        PrResponse r = new PrResponse();
        r.reset();
        r.dataLength(24);
        byte[] out = new byte[8 + 96 + 8192];
        assertEquals(104, ServerProtocol.encode(request, r, out));
        assertEquals(0, ByteBuffer.wrap(out).getInt(4));
    }
}
