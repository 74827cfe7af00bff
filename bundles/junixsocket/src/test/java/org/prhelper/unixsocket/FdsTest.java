package org.prhelper.unixsocket;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import com.sun.jna.Function;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Each workaround in {@link Fds} with the junixsocket behaviour that forces it (the O_PATH one:
 * {@code DescriptorNumbersTest}). The tests named "junixsocket..." pin that behaviour: one that fails
 * after an upgrade says the workaround (and its upstream proposal in docs/junixsocket.md) may go.
 */
public class FdsTest {
    private static final Function DUP = Function.getFunction("c", "dup");
    private static final Function CLOSE = Function.getFunction("c", "close");

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aClosedDescriptorHasNoNumber() throws IOException {
        FileDescriptor descriptor;
        try (RandomAccessFile f = new RandomAccessFile(tmp.newFile(), "r")) {
            descriptor = f.getFD();
        }
        assertThrows(IOException.class, () -> Fds.number(descriptor));
    }

    /** junixsocket closes a received descriptor when its connection closes, whoever closed it before. */
    @Test
    public void junixsocketClosesReceivedDescriptorsAgainUnlessReleasedThroughTheirObject() throws IOException {
        assertFalse("closed by number: the connection's close hits the number's next owner", keepsNextOwner(false));
        assertTrue("released through its object: junixsocket skips it", keepsNextOwner(true));
    }

    /** Receives a descriptor, closes it one way, lets a new file take its number, ends the connection. */
    private boolean keepsNextOwner(boolean release) throws IOException {
        Path path = tmp.getRoot().toPath().resolve("r" + release + ".sock");
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path));
                AFUNIXSocket sender = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
                RandomAccessFile sent = new RandomAccessFile(tmp.newFile(), "r")) {
            AFUNIXSocket receiver = server.accept();
            sender.setOutboundFileDescriptors(sent.getFD());
            sender.getOutputStream().write(1);
            receiver.setAncillaryReceiveBufferSize(256);
            assertEquals(1, receiver.getInputStream().read());
            FileDescriptor received = receiver.getReceivedFileDescriptors()[0];
            int number = Fds.number(received);
            if (release) {
                Fds.release(received);
            } else {
                CLOSE.invokeInt(new Object[] {number});
            }
            RandomAccessFile next = new RandomAccessFile(tmp.newFile(), "r");
            try {
                assumeTrue("the next file took the freed number", Fds.number(next.getFD()) == number);
                receiver.close();
                return Files.exists(Path.of("/proc/self/fd/" + number), LinkOption.NOFOLLOW_LINKS);
            } finally {
                try {
                    next.close();
                } catch (IOException e) {
                    // EBADF when junixsocket closed its number already: what the first case shows
                }
            }
        }
    }

    /**
     * junixsocket's close() of a server socket shuts the socket down for every process that holds it;
     * a listening socket another process owns (systemd, bin/prhelper-vm) must be let go by closing our
     * descriptor alone.
     */
    @Test
    public void junixsocketsCloseShutsASharedListeningSocketDownReleaseDoesNot() throws Exception {
        assertFalse("after junixsocket's close()", stillAccepts(false));
        assertTrue("after Fds.release", stillAccepts(true));
    }

    private boolean stillAccepts(boolean release) throws Exception {
        Path path = tmp.getRoot().toPath().resolve("s" + release + ".sock");
        try (AFUNIXServerSocket owner = AFUNIXServerSocket.newInstance()) {
            owner.bind(AFUNIXSocketAddress.of(path), 4);
            int duplicate = DUP.invokeInt(new Object[] {Fds.number(owner.getFileDescriptor())});
            AFUNIXServerSocket ours = FileDescriptorCast.unsafeUsing(duplicate).as(AFUNIXServerSocket.class);
            ours.setDeleteOnClose(false);
            if (release) {
                Fds.release(ours.getFileDescriptor());
            } else {
                ours.close();
            }
            try (AFUNIXSocket client = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path))) {
                owner.setSoTimeout(2000);
                try (AFUNIXSocket accepted = owner.accept()) {
                    return accepted != null;
                }
            } catch (IOException e) {
                return false;
            }
        }
    }
}
