package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.DescriptorNumbers;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.HandoffSocket;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SocketInfo;

/**
 * Sockets bound by another process and received over SCM_RIGHTS, as the handoff control socket
 * receives them: served under their name, and stopped one by one without touching the others.
 */
public class HandoffSocketsTest {
    /** What the process that bound a socket says it is; shown only when the kernel's name is gone. */
    private static final String PATH_GIVEN = "/run/given.sock";
    private Path dir;
    private ServingLoops loops;
    private RequestServices requests;
    private HandoffSockets sockets;
    /** The connections that brought descriptors, open while they are served, as in the agent. */
    private final List<AutoCloseable> relays = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "prh");
        loops = new ServingLoops(2, ServingLoops.STALL_MILLIS);
        requests = new RequestServices(loops, millis -> (req, resp) -> resp.status(ScsiStatus.GOOD));
        sockets = new HandoffSockets(requests);
    }

    @After
    public void tearDown() throws Exception {
        sockets.stop();
        loops.stop();
        for (AutoCloseable c : relays) {
            c.close();
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /**
     * Binds a listening socket, sends its descriptor to ourselves and closes the original: the received
     * descriptor is then the only one, as in the agent. The receiving connection stays open.
     */
    private FileDescriptor receivedListeningSocket(String file) throws IOException {
        try (AFUNIXServerSocket original = AFUNIXServerSocket.newInstance()) {
            original.setDeleteOnClose(false);
            original.bind(AFUNIXSocketAddress.of(dir.resolve(file)), 8);
            FileDescriptor received = sendToOurselves(original.getFileDescriptor());
            // close(2) only: junixsocket's close() would shut the socket down for the copy received too.
            new FileInputStream(original.getFileDescriptor()).close();
            return received;
        }
    }

    /** {@code fd} as the agent gets it: received over SCM_RIGHTS, the connection left open. */
    private FileDescriptor sendToOurselves(FileDescriptor fd) throws IOException {
        try (AFUNIXServerSocket relay = AFUNIXServerSocket.newInstance()) {
            relay.bind(AFUNIXSocketAddress.of(dir.resolve("relay.sock")), 1);
            AFUNIXSocket sender = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("relay.sock")));
            relays.add(sender);
            AFUNIXSocket receiver = relay.accept();
            relays.add(receiver);
            receiver.setAncillaryReceiveBufferSize(64);
            sender.setOutboundFileDescriptors(fd);
            sender.getOutputStream().write(1);
            assertEquals(1, receiver.getInputStream().read());
            return receiver.getReceivedFileDescriptors()[0];
        }
    }

    private static int readKeys(AFUNIXSocket socket) throws IOException {
        socket.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        assertEquals(0, in.readInt());
        out.write(new byte[4]);
        byte[] cdb = new byte[16];
        cdb[0] = 0x5E;
        cdb[8] = 8;
        try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
            socket.setOutboundFileDescriptors(devNull.getFD());
            out.write(cdb);
            int status = in.readInt();
            in.readFully(new byte[4 + 96]);
            return status;
        }
    }

    /** The socket inodes this process holds: a served socket's must be gone after it stops. */
    private static Set<String> openSockets() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("socket:")) {
                        inodes.add(t);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return inodes;
    }

    private static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
        } catch (IOException e) {
            return "closed";
        }
    }

    @Test
    public void servesUnderItsNameAndStopsOnlyThatSocket() throws Exception {
        BlockingQueue<AuditRecord> records = new LinkedBlockingQueue<>();
        requests.audit.add(records::add);
        FileDescriptor a = receivedListeningSocket("a.sock");
        String aInode = target(DescriptorNumbers.of(a));
        // QEMU may connect before the agent serves the socket: it waits in the backlog.
        AFUNIXSocket early = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("a.sock")));
        HandoffSocket first = sockets.serve("vm-web1", PATH_GIVEN, a);
        assertFalse("the received descriptor itself is closed at once (a duplicate is served)", a.valid());
        HandoffSocket second = sockets.serve("vm-web1", PATH_GIVEN, receivedListeningSocket("b.sock"));
        assertEquals("vm-web1", first.name());
        assertEquals("vm-web1-2", second.name());
        assertEquals(dir.resolve("a.sock").toString(), first.path());
        // pr:sockets (the socket directory) lists them with the configured sockets, by name.
        TransportDirectory directory = new TransportDirectory();
        directory.transports = List.of();
        directory.handoff = sockets;
        assertEquals(List.of("vm-web1", "vm-web1-2"), directory.sockets().stream().map(SocketInfo::name).toList());

        assertEquals(ScsiStatus.GOOD, readKeys(early));
        assertEquals("vm-web1", records.poll(10, TimeUnit.SECONDS).socket());
        List<SocketInfo> infos = sockets.snapshots();
        assertEquals(2, infos.size());
        assertTrue(infos.stream().allMatch(SocketInfo::listening));

        first.close();
        first.close(); // idempotent
        assertEquals("the connection of a stopped socket is closed", -1, early.getInputStream().read());
        early.close();
        assertFalse("every descriptor of the stopped socket is closed", openSockets().contains(aInode));
        assertTrue("the file belongs to whoever bound it", Files.exists(dir.resolve("a.sock")));
        assertEquals(List.of("vm-web1-2"), sockets.snapshots().stream().map(SocketInfo::name).toList());
        try (AFUNIXSocket c = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("b.sock")))) {
            assertEquals(ScsiStatus.GOOD, readKeys(c));
        }
    }

    /**
     * The agent restarting while prhelper-vm keeps its socket: stopping leaves the socket working for
     * its owner (no shutdown), a client that connects meanwhile waits in the backlog, and the next
     * agent the socket is handed to answers it.
     */
    @Test
    public void aStoppedSocketStillWorksForItsOwnerAndCanBeHandedOverAgain() throws Exception {
        try (AFUNIXServerSocket owner = AFUNIXServerSocket.newInstance()) {
            owner.setDeleteOnClose(false);
            owner.bind(AFUNIXSocketAddress.of(dir.resolve("vm.sock")), 8);
            HandoffSocket first = sockets.serve("vm-a", PATH_GIVEN, sendToOurselves(owner.getFileDescriptor()));
            try (AFUNIXSocket c = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("vm.sock")))) {
                assertEquals(ScsiStatus.GOOD, readKeys(c));
            }
            first.close();
            try (AFUNIXSocket waiting = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("vm.sock")))) {
                HandoffSocket again = sockets.serve("vm-a", PATH_GIVEN, sendToOurselves(owner.getFileDescriptor()));
                assertEquals("vm-a", again.name());
                assertEquals(ScsiStatus.GOOD, readKeys(waiting));
            }
            new FileInputStream(owner.getFileDescriptor()).close();
        }
    }

    /** prhelper-vm binds under a temporary name and renames the file once it listens. */
    @Test
    public void aRenamedSocketIsShownUnderTheGivenPath() throws Exception {
        FileDescriptor fd = receivedListeningSocket("tmp.sock");
        Files.move(dir.resolve("tmp.sock"), dir.resolve("final.sock"));
        HandoffSocket s = sockets.serve("vm-r", dir.resolve("final.sock").toString(), fd);
        assertEquals(dir.resolve("final.sock").toString(), s.path());
        try (AFUNIXSocket c = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("final.sock")))) {
            assertEquals(ScsiStatus.GOOD, readKeys(c));
        }
    }

    @Test
    public void refusesAndClosesADescriptorThatIsNotAListeningSocket() throws Exception {
        RandomAccessFile devNull = new RandomAccessFile("/dev/null", "r");
        int number = DescriptorNumbers.of(devNull.getFD());
        try {
            sockets.serve("vm-x", PATH_GIVEN, devNull.getFD());
            fail("/dev/null served");
        } catch (IOException e) {
            assertEquals("descriptor " + number + " is not a socket but /dev/null", e.getMessage());
        }
        assertFalse("closed on failure", devNull.getFD().valid() && target(number).equals("/dev/null"));
        assertTrue(sockets.snapshots().isEmpty());
    }
}
