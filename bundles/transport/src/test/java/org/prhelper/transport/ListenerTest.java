package org.prhelper.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.DescriptorNumbers;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.AuditSink;
import org.prhelper.api.ClientInfo;
import org.prhelper.api.PrHandler;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;
import org.prhelper.policy.SocketPolicy;

/** The transport over real Unix sockets, with a handler that answers GOOD and some data. */
public class ListenerTest {
    private Path dir;
    private Path sock;
    private Listener listener;
    private volatile PrHandler handler = (req, resp) -> {
        resp.status(ScsiStatus.GOOD);
        resp.data()[0] = 0x42;
        resp.dataLength(1);
    };
    private final List<AuditSink> sinks = new CopyOnWriteArrayList<>();
    private volatile SocketPolicy policy = SocketPolicy.ALLOW_ALL;
    /** One serving thread, so that a request holding it shows whether another takes its place. */
    private ServingLoops loops;

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "prl");
        sock = dir.resolve("s.sock");
        loops = new ServingLoops(1, ServingLoops.STALL_MILLIS);
    }

    @After
    public void tearDown() throws IOException {
        if (listener != null) {
            listener.close(1000);
        }
        loops.stop();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private Listener start(String mode) throws IOException {
        listener = new Listener(SocketSettings.of(Configs.socket(sock.toString(), mode, 8, 100)), services());
        return listener;
    }

    /** The socket's services: our handler, no inspector, the audit sinks added before it starts, our policy. */
    private SocketServices services() {
        RequestServices requests = new RequestServices(loops, millis -> handler);
        requests.audit.addAll(sinks);
        return new SocketServices() {
            @Override
            public String socketName() {
                return "test";
            }

            @Override
            public SocketPolicy policy() {
                return policy;
            }

            @Override
            public RequestServices requests() {
                return requests;
            }
        };
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    public void servesAsSoonAsThePathExistsAndReplacesAStaleFile() throws IOException {
        Files.writeString(sock, "stale");
        start("");
        try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            assertEquals(ScsiStatus.GOOD, c.readKeys(f.getFD()));
        }
    }

    /**
     * Socket activation: a socket bound and listening before the agent starts (here by this test, as
     * systemd does) is served through its descriptor, with a client already queued on it, and its file
     * is left in place on stop. The inherited number stays that socket's, so that a listener opened again
     * for it (a changed configuration, a refreshed bundle) serves it too.
     */
    @Test
    public void servesAnInheritedListeningSocketAndLeavesItsFile() throws Exception {
        try (AFUNIXServerSocket inherited = AFUNIXServerSocket.newInstance()) {
            inherited.setDeleteOnClose(false);
            inherited.bind(AFUNIXSocketAddress.of(sock), 8);
            int fd = DescriptorNumbers.of(inherited.getFileDescriptor());
            Path number = Path.of("/proc/self/fd/" + fd);
            Path socketInode = Files.readSymbolicLink(number);
            CompletableFuture<Integer> early = CompletableFuture.supplyAsync(() -> {
                try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
                    return c.readKeys(f.getFD());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(200); // the client is connected (queued in the backlog) before anyone accepts
            SocketSettings settings = SocketSettings.of(Configs.socket(Map.of("path", "/run/label.sock",
                    "inheritedFd", fd)));
            listener = new Listener(settings, services());
            assertEquals(sock, listener.path());
            assertEquals(ScsiStatus.GOOD, (int) early.get(10, TimeUnit.SECONDS));
            listener.close(1000);
            listener = null;
            long descriptors = openDescriptors();
            assertTrue("the inherited socket's file is not ours to remove", Files.exists(sock));
            assertEquals("the inherited number is left open", socketInode, Files.readSymbolicLink(number));

            listener = new Listener(settings, services());
            try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
                assertEquals(ScsiStatus.GOOD, c.readKeys(f.getFD()));
            }
            listener.close(1000);
            listener = null;
            assertEquals("the accept thread's epoll and our duplicate are closed", descriptors, openDescriptors());
        }
    }

    /**
     * The descriptor the serving threads watch is the connection's own: junixsocket closes a socket's
     * descriptor by itself on some errors (a failed send), and that number can be the next client's at
     * once, whose registration a removal by number would then take away.
     */
    @Test
    public void theWatchedDescriptorStaysTheConnectionsWhenTheSocketIsClosedBehindIt() throws Exception {
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.of(sock), 8);
            try (AFUNIXSocket client = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock))) {
                AFUNIXSocket accepted = server.accept();
                Path socketInode = Files.readSymbolicLink(
                        Path.of("/proc/self/fd/" + DescriptorNumbers.of(accepted.getFileDescriptor())));
                Connection c = Connection.open(accepted, services(), () -> { }, "t");
                accepted.close();
                assertEquals(socketInode, Files.readSymbolicLink(Path.of("/proc/self/fd/" + c.fd())));
                c.close();
            }
        }
    }

    @Test
    public void everyAuditSinkGetsTheRecordThoughAnotherFails() throws Exception {
        BlockingQueue<AuditRecord> first = new LinkedBlockingQueue<>();
        BlockingQueue<AuditRecord> last = new LinkedBlockingQueue<>();
        sinks.add(first::add);
        sinks.add(r -> {
            throw new IllegalStateException("faulty sink");
        });
        sinks.add(last::add);
        start("");
        try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            for (int i = 0; i < 2; i++) {
                assertEquals(ScsiStatus.GOOD, c.readKeys(f.getFD()));
                // Records follow the reply: wait for them.
                AuditRecord record = last.poll(10, TimeUnit.SECONDS);
                assertEquals("test", record.socket());
                assertEquals(0x5E, record.opcode());
                assertEquals(record, first.poll(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    public void aDeviceRuleWithoutAnInspectorIsAnsweredWithTheRetriedSenseNotARefusal() throws Exception {
        policy = SocketPolicy.parse(Map.of("allow.devices.numbers", "1:3"));
        handler = (req, resp) -> {
            throw new AssertionError("a request whose device could not be checked reached the backend");
        };
        BlockingQueue<AuditRecord> records = new LinkedBlockingQueue<>();
        sinks.add(records::add);
        start("");
        try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            assertEquals(ScsiStatus.CHECK_CONDITION, c.readKeys(f.getFD()));
            AuditRecord record = records.poll(10, TimeUnit.SECONDS);
            // ABORTED COMMAND / LOGICAL UNIT COMMUNICATION FAILURE, which guests retry; not ACCESS DENIED.
            assertEquals(0x0B, record.senseKey());
            assertEquals(0x08, record.asc());
            assertEquals(0x00, record.ascq());
            assertTrue(record.decision(), record.decision().contains("no device inspector"));
        }
    }

    @Test
    public void appliesTheConfiguredMode() throws IOException {
        start("0660");
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(sock));
    }

    @Test
    public void closesEveryReceivedDescriptorAfterItsRequest() throws IOException {
        start("");
        try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            c.readKeys(f.getFD());
            long before = openFds();
            for (int i = 0; i < 500; i++) {
                assertEquals(ScsiStatus.GOOD, c.readKeys(f.getFD()));
            }
            // The server runs in this JVM: each received descriptor is a new one here until it is closed.
            assertTrue(openFds() <= before + 2);
        }
    }

    @Test
    public void stopRemovesTheSocketButFinishesTheRequestInProgress() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        handler = (req, resp) -> {
            inside.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            resp.status(ScsiStatus.GOOD);
        };
        start("");
        try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            int[] status = {-1};
            Thread t = new Thread(() -> {
                try {
                    status[0] = c.readKeys(f.getFD());
                } catch (IOException e) {
                    status[0] = -2;
                }
            });
            t.start();
            assertTrue(inside.await(5, TimeUnit.SECONDS));
            listener.close(3000);
            listener = null;
            t.join(5000);
            assertEquals(ScsiStatus.GOOD, status[0]);
            assertFalse(Files.exists(sock));
            assertEquals("no further request is read", -1, c.in.read());
        }
    }

    @Test
    public void stopLeavesASocketThatReplacedOursAlone() throws IOException {
        start("");
        Files.delete(sock);
        Files.writeString(sock, "someone else's");
        // A file created later; on ext4 it may even get the inode ours had.
        Files.setLastModifiedTime(sock, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        listener.close(100);
        listener = null;
        assertTrue(Files.exists(sock));
    }

    /**
     * A device that answered fast runs its commands on the serving thread; when one of them then stops
     * answering, the watchdog replaces the held thread, that device's next commands go to the workers,
     * and the held request shows as running.
     */
    @Test
    public void aSlowRequestHoldsUpOnlyItself() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(1);
        handler = (req, resp) -> {
            if (req.serviceAction() == 1) {
                inside.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            resp.status(ScsiStatus.GOOD);
        };
        start("");
        try (TestClient slow = new TestClient(sock); TestClient quick = new TestClient(sock); TestClient later = new TestClient(sock);
                RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(ScsiStatus.GOOD, slow.readKeys(f.getFD())); // the device proves fast
            }
            slow.send(f.getFD(), 1, 8);
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 100; i++) {
                assertEquals(ScsiStatus.GOOD, quick.readKeys(f.getFD()));
            }
            assertEquals(1, loops.replacements());
            later.send(f.getFD(), 1, 8); // now known slow: a worker waits for it, not a serving thread
            Thread.sleep(ServingLoops.STALL_MILLIS * 5);
            assertEquals("the second held request holds no serving thread", 1, loops.replacements());
            ClientInfo held = listener.snapshot("test").clients().stream()
                    .filter(c -> c.lastCommand() != null && c.lastCommand().equals("PRIN READ_KEYS")
                            && c.requestSince() != null).findFirst().orElseThrow();
            assertTrue("the held request shows as running", held.requestSince() != null);
            release.countDown();
            assertEquals(ScsiStatus.GOOD, slow.reply());
            assertEquals(ScsiStatus.GOOD, later.reply());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (listener.snapshot("test").clients().stream().anyMatch(c -> c.requestSince() != null)
                    && System.nanoTime() < until) {
                Thread.sleep(5); // the reply goes out before the request's audit and bookkeeping end
            }
            assertTrue("no request runs once both are answered", listener.snapshot("test").clients().stream()
                    .allMatch(c -> c.requestSince() == null));
            assertEquals("the slow connection serves on", ScsiStatus.GOOD, slow.readKeys(f.getFD()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loops.threadCount() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("the replaced thread ended with its request", 1, loops.threadCount());
    }

    /**
     * A client that sends requests without reading the replies fills the socket: the rest of a reply
     * waits for room, nothing is lost, and the thread is not held meanwhile.
     */
    @Test
    public void repliesWaitForRoomWhenTheClientDoesNotRead() throws Exception {
        handler = (req, resp) -> {
            resp.status(ScsiStatus.GOOD);
            resp.dataLength(8192);
        };
        start("");
        int requests = 200; // 200 replies of 8 KiB: more than the socket buffers hold
        try (TestClient greedy = new TestClient(sock); TestClient other = new TestClient(sock);
                RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            for (int i = 0; i < requests; i++) {
                greedy.send(f.getFD(), 0, 8192);
            }
            Thread.sleep(200);
            assertEquals("another connection is served meanwhile", ScsiStatus.GOOD, other.readKeys(f.getFD()));
            assertEquals("no thread was held by the full socket", 0, loops.replacements());
            for (int i = 0; i < requests; i++) {
                assertEquals(ScsiStatus.GOOD, greedy.reply());
            }
        }
    }

    /**
     * Threads replaced while their batch of events is still being served (here: a 1 ms stall time and
     * requests that take 0-2 ms, so replacements happen all the time, also of threads that were only
     * slow) must serve every event exactly once: a lost event leaves a client without its reply, one
     * served twice mixes up a connection's requests.
     */
    @Test
    public void replacedThreadsLoseAndRepeatNoEvent() throws Exception {
        loops.stop();
        // Every command on the serving thread, as a device that answers at once would have it.
        loops = new ServingLoops(2, 1, 128, 16, Long.MAX_VALUE);
        handler = (req, resp) -> {
            if ((req.cdb()[8] & 1) == 1) {
                LockSupport.parkNanos(2_000_000);
            }
            resp.status(ScsiStatus.GOOD);
            resp.data()[0] = req.cdb()[8];
            resp.dataLength(1);
        };
        start("");
        int clients = 8;
        int requests = 300;
        List<CompletableFuture<Void>> done = new java.util.ArrayList<>();
        for (int k = 0; k < clients; k++) {
            done.add(CompletableFuture.runAsync(() -> {
                try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
                    for (int i = 0; i < requests; i++) {
                        int length = 2 + (i % 7); // odd lengths take 2 ms in the handler
                        c.send(f.getFD(), 0, length);
                        assertEquals(ScsiStatus.GOOD, c.in.readInt());
                        assertEquals(1, c.in.readInt());
                        c.in.readFully(new byte[96]);
                        assertEquals("the reply to this request, not another's", length, c.in.readByte());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        for (CompletableFuture<Void> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertTrue("threads were replaced: " + loops.replacements(), loops.replacements() > 0);
    }

    /**
     * An Error in a backend (a class gone with a refreshed bundle) is answered like a backend that
     * cannot be reached, on the serving thread and on a worker alike; no thread is lost.
     */
    @Test
    public void anErrorInARequestIsAnsweredAsACommunicationFailure() throws Exception {
        handler = (req, resp) -> {
            if (req.serviceAction() == 1) {
                throw new NoClassDefFoundError("org/prhelper/gone/Backend");
            }
            if (req.serviceAction() == 2) {
                LockSupport.parkNanos(30_000_000); // slow: the device's next commands go to the workers
                throw new NoClassDefFoundError("org/prhelper/gone/Backend");
            }
            resp.status(ScsiStatus.GOOD);
        };
        start("");
        try (RandomAccessFile f = new RandomAccessFile("/dev/null", "rw"); TestClient c = new TestClient(sock)) {
            for (int sa : new int[] {1, 1, 1, 2, 2, 1}) { // more times than there are serving threads
                c.send(f.getFD(), sa, 8);
                assertEquals(ScsiStatus.CHECK_CONDITION, c.in.readInt());
                assertEquals(0, c.in.readInt());
                byte[] sense = new byte[96];
                c.in.readFully(sense);
                assertEquals(SenseCode.LUN_COMMUNICATION_FAILURE, SenseCode.of(sense));
            }
            assertEquals(ScsiStatus.GOOD, c.readKeys(f.getFD()));
        }
        // A replaced thread leaves after the reply it wrote, which the client may read first.
        assertTrue(Polling.until(() -> loops.threadCount() == 1, 5000, 5));
    }

    @Test
    public void noHandlerAnswersCommunicationFailure() throws IOException {
        handler = null;
        start("");
        try (TestClient c = new TestClient(sock); RandomAccessFile f = new RandomAccessFile("/dev/null", "rw")) {
            assertEquals(ScsiStatus.CHECK_CONDITION, c.readKeys(f.getFD()));
        }
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
