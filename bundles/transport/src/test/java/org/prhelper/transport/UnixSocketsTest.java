package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.DescriptorNumbers;

public class UnixSocketsTest {
    private static final String TABLE = "Num       RefCount Protocol Flags    Type St Inode Path\n"
            + "0000000000000000: 00000002 00000000 00010000 0001 01 4711 /run/a.sock\n"
            + "0000000000000000: 00000003 00000000 00000000 0001 03 4712\n"
            + "0000000000000000: 00000002 00000000 00000000 0002 01 4713 /run/dgram\n";

    @Test
    public void tellsWhatTheSocketIs() {
        assertNull(UnixSockets.problem(TABLE, 4711));
        assertEquals("is a Unix stream socket that does not listen", UnixSockets.problem(TABLE, 4712));
        assertEquals("is a Unix socket of type 2, not a stream socket", UnixSockets.problem(TABLE, 4713));
        assertEquals("is not a Unix socket (socket inode 47 is not in /proc/net/unix)", UnixSockets.problem(TABLE, 47));
    }

    @Test
    public void acceptsAListeningSocketAndRefusesAFile() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pru");
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
                RandomAccessFile devNull = new RandomAccessFile("/dev/null", "r")) {
            server.bind(AFUNIXSocketAddress.of(dir.resolve("s.sock")), 4);
            UnixSockets.requireListeningStream(DescriptorNumbers.of(server.getFileDescriptor()));
            int fd = DescriptorNumbers.of(devNull.getFD());
            try {
                UnixSockets.requireListeningStream(fd);
                fail("/dev/null accepted as a socket");
            } catch (IOException e) {
                assertEquals("descriptor " + fd + " is not a socket but /dev/null", e.getMessage());
            }
        } finally {
            Files.deleteIfExists(dir.resolve("s.sock"));
            Files.delete(dir);
        }
    }
}
