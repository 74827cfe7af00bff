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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
    public void aCommandAndItsReply() throws Exception {
        for (String reply : new String[] {"ok\n", "fail\n"}) {
            try (StandIn multipathd = new StandIn(reply, Integer.MAX_VALUE)) {
                Multipathd client = new Multipathd(multipathd.name);
                assertEquals(reply, reply.startsWith("ok"), client.ok("setprkey map dm-7 key 1"));
                assertEquals(List.of("setprkey map dm-7 key 1"), multipathd.commands);
                client.close();
            }
        }
    }

    /** The connection is kept: one for every command, as `multipathd -k` keeps its own. */
    @Test
    public void commandsShareOneConnection() throws Exception {
        try (StandIn multipathd = new StandIn("ok\n", Integer.MAX_VALUE)) {
            Multipathd client = new Multipathd(multipathd.name);
            for (int i = 0; i < 5; i++) {
                assertTrue(client.ok("setprstatus map dm-" + i));
            }
            assertEquals(5, multipathd.commands.size());
            assertEquals(1, multipathd.connections.get());
            client.close();
        }
    }

    /** multipathd restarted (here: it drops every client after one reply): a new connection, nothing lost. */
    @Test
    public void aDroppedConnectionIsReplacedAndTheCommandSentOnIt() throws Exception {
        try (StandIn multipathd = new StandIn("ok\n", 1)) {
            Multipathd client = new Multipathd(multipathd.name);
            for (int i = 0; i < 3; i++) {
                assertTrue(client.ok("setprstatus map dm-" + i));
            }
            assertEquals(List.of("setprstatus map dm-0", "setprstatus map dm-1", "setprstatus map dm-2"),
                    multipathd.commands);
            assertEquals(3, multipathd.connections.get());
            client.close();
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

    /** multipathd's side: serves each connection up to {@code perConnection} commands, then closes it. */
    private static final class StandIn implements AutoCloseable {
        final String name = "/prhelper-test/multipathd-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final List<String> commands = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        private final AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
        private final Thread thread;

        StandIn(String reply, int perConnection) throws IOException {
            server.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        for (int i = 0; i < perConnection; i++) {
                            byte[] header = new byte[8];
                            in.readFully(header);
                            long length = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getLong();
                            byte[] text = new byte[(int) length];
                            in.readFully(text);
                            if (text[text.length - 1] != 0) {
                                throw new IllegalStateException("no NUL at the end");
                            }
                            commands.add(new String(text, 0, text.length - 1));
                            s.getOutputStream().write(Multipathd.frame(reply));
                        }
                    } catch (IOException e) {
                        // the client closed its connection, or the stand-in is closing
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(5000);
        }
    }
}
