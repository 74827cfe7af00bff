package org.prhelper.multipath;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;

import org.junit.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** multipathd's command socket: the texts libmpathpersist sends and libmpathcmd's framing, on a real socket. */
public class MultipathdTest {
    @Test
    public void theCommandsAreTheLibrarysTexts() {
        assertEquals("setprkey map dm-3 key 123abc", Multipathd.setPrKey("dm-3", 0x123abcL, false));
        assertEquals("setprkey map dm-3 key 123abc:aptpl", Multipathd.setPrKey("dm-3", 0x123abcL, true));
        // A key with the top bit set is still written as 16 unsigned hex digits.
        assertEquals("setprkey map dm-0 key fedcba9876543210", Multipathd.setPrKey("dm-0", 0xfedcba9876543210L, false));
        assertEquals("setprstatus map dm-3", Multipathd.setPrStatus("dm-3"));
    }

    @Test
    public void aMessageIsItsLengthAsSizeTThenTheTextWithItsNul() {
        byte[] frame = Multipathd.frame("setprstatus map dm-1");
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.nativeOrder());
        assertEquals(21, b.getLong());
        byte[] text = new byte[21];
        b.get(text);
        assertArrayEquals("setprstatus map dm-1\0".getBytes(), text);
        assertFalse(b.hasRemaining());
    }

    /** A listener in the abstract namespace, as multipathd's: it sees the frame, the client sees its reply. */
    @Test
    public void oneCommandOneConnectionAndItsReply() throws Exception {
        String name = "/prhelper-test/multipathd-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        for (String reply : new String[] {"ok\n", "fail\n"}) {
            try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
                server.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
                CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> serveOne(server, reply));
                boolean ok = new Multipathd(name).ok("setprkey map dm-7 key 1");
                assertEquals("setprkey map dm-7 key 1", received.get());
                assertEquals(reply, reply.startsWith("ok"), ok);
            }
        }
    }

    @Test
    public void noMultipathdIsAnIOException() {
        try {
            new Multipathd("/prhelper-test/nobody-listens-" + System.nanoTime()).ok("setprstatus map dm-0");
            fail("connected to nobody");
        } catch (IOException expected) {
            // what the backend logs, answering the request as the library does without multipathd
        }
    }

    @Test
    public void aReplyLongerThanAWordIsRefused() {
        byte[] header = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1L << 40).array();
        try {
            Multipathd.readReply(new java.io.ByteArrayInputStream(header));
            fail("accepted a reply length of 2^40");
        } catch (IOException expected) {
            assertTrue(expected.getMessage().contains("length"));
        }
    }

    private static String serveOne(AFUNIXServerSocket server, String reply) {
        try (Socket s = server.accept()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] header = new byte[8];
            in.readFully(header);
            long length = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getLong();
            byte[] text = new byte[(int) length];
            in.readFully(text);
            if (text[text.length - 1] != 0) {
                throw new IllegalStateException("no NUL at the end");
            }
            s.getOutputStream().write(Multipathd.frame(reply));
            return new String(text, 0, text.length - 1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
