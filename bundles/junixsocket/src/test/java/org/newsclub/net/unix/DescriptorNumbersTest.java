package org.newsclub.net.unix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.FileDescriptor;
import java.io.IOException;

import com.sun.jna.Function;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * In junixsocket's package, as {@link DescriptorNumbers} is: the descriptor object is made here the way
 * junixsocket makes the ones a connection receives, since its public API cannot make one for an
 * O_PATH number at all.
 */
public class DescriptorNumbersTest {
    private static final int O_PATH = 0x200000;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void junixsocketsCastRefusesAnOPathDescriptorDescriptorNumbersAnswersIt() throws IOException {
        assertTrue(NativeUnixSocket.isLoaded());
        int fd = Function.getFunction("c", "open").invokeInt(new Object[] {tmp.newFile().getPath(), O_PATH});
        assertTrue(fd >= 0);
        try {
            FileDescriptor received = new FileDescriptor();
            NativeUnixSocket.initFD(received, fd);
            assertEquals(fd, DescriptorNumbers.of(received));
            assertThrows("junixsocket's cast probes with getsockname(2), which an O_PATH descriptor refuses",
                    IOException.class, () -> FileDescriptorCast.using(received).as(Integer.class));
            assertThrows(IOException.class, () -> FileDescriptorCast.unsafeUsing(fd));
        } finally {
            Function.getFunction("c", "close").invokeInt(new Object[] {fd});
        }
    }
}
