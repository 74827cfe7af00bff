package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.prhelper.itests.Poll;

/**
 * A helper lives as long as its VM and receives a descriptor with every request: one not closed,
 * on any path, eventually exhausts its limit. Counts the server's open descriptors in /proc before
 * and after thousands of requests and rule-breaking connections. The reference runs the same load
 * to show the count is stable there too, so the tolerance is not hiding something it does as well.
 */
public class FdLeakIT {
    private static final int REQUESTS = 5_000;
    private static final int CLOSED_BY_RULE = 200;
    private static final int WORKERS = 8;
    private static final int REQUESTS_PER_CONNECTION = 100;
    /** Room for descriptors a server may open lazily (a log file rolling over, a new worker's epoll). */
    private static final int TOLERANCE = 5;
    /** An open connection's socket, and in our agent the duplicate its serving threads watch with epoll. */
    private static final int DESCRIPTORS_PER_CONNECTION = 2;
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private static TestFds fds;
    private Daemon server;

    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    @BeforeClass
    public static void openFds() throws IOException {
        fds = new TestFds();
    }

    @AfterClass
    public static void closeFds() throws IOException {
        if (fds != null) {
            fds.close();
        }
    }

    @After
    public void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    public void ourAgentClosesEveryDescriptor() throws Exception {
        server = Daemon.ours();
        // Otherwise the counts below would be a shell's, and prove nothing.
        assertTrue("the launcher did not exec the JVM",
                Files.readSymbolicLink(Paths.get("/proc", Long.toString(server.pid()), "exe")).endsWith("java"));
        assertDescriptorCountStable();
    }

    @Test
    public void referenceClosesEveryDescriptor() throws Exception {
        server = Daemon.reference();
        assertDescriptorCountStable();
    }

    private void assertDescriptorCountStable() throws Exception {
        ProcessWatch watch = new ProcessWatch(server.pid());
        // Warm-up: whatever the server opens once (thread pools, classes, log files) is open after it.
        load(REQUESTS / 10, CLOSED_BY_RULE / 10);
        long warm = watch.settledDescriptorCount(SETTLE);
        assertNoGrowthWhileConnected(watch, warm);
        load(REQUESTS, CLOSED_BY_RULE);
        // The server closes a connection's socket only after it notices our close: allow it time.
        boolean back = Poll.until(SETTLE, () -> watch.descriptorCount() <= warm + TOLERANCE);
        assertTrue(server + " has " + watch.descriptorCount() + " descriptors open after " + REQUESTS + " requests and "
                + CLOSED_BY_RULE + " connections closed by rule, " + warm + " after the warm-up\n"
                + watch.descriptorList(), back);
        assertTrue(server + " died under the load\n" + server.logTail(), server.isAlive());
        System.out.printf("%s: %d descriptors open after the warm-up, %d after the load%n", server, warm,
                watch.descriptorCount());
    }

    /**
     * Requests on connections that stay open, counted before they close: a descriptor kept per request
     * would otherwise go unseen, because junixsocket closes a connection's received descriptors when
     * the connection closes, and QEMU keeps its connection for the VM's lifetime.
     */
    private void assertNoGrowthWhileConnected(ProcessWatch watch, long warm) throws Exception {
        List<PrClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < WORKERS; i++) {
                clients.add(PrClient.connect(server.socket()));
            }
            Request request = Request.prIn(0, 8192, fds.devNullReadWrite, "/dev/null read-write");
            for (int round = 0; round < REQUESTS_PER_CONNECTION; round++) {
                for (PrClient c : clients) {
                    assertEquals(request.toString(), 2, request.sendOn(c).status());
                }
            }
            long open = watch.descriptorCount();
            assertTrue(server + " has " + open + " descriptors open with " + WORKERS + " connections after "
                    + WORKERS * REQUESTS_PER_CONNECTION + " requests on them, " + warm + " after the warm-up\n"
                    + watch.descriptorList(), open <= warm + DESCRIPTORS_PER_CONNECTION * WORKERS + TOLERANCE);
        } finally {
            for (PrClient c : clients) {
                c.close();
            }
        }
    }

    /** Requests on several connections in parallel, then connections the server must close. */
    private void load(int requests, int closedByRule) throws Exception {
        FileDescriptor rw = fds.devNullReadWrite;
        FileDescriptor ro = fds.devNullReadOnly;
        // All get CHECK CONDITION: ABORTED COMMAND where SG_IO fails on /dev/null, ILLEGAL REQUEST
        // for PR OUT on a read-only fd.
        record Mixed(Request request, int senseKey) {
        }
        List<Mixed> mix = List.of(
                new Mixed(Request.prIn(0, 8192, rw, "/dev/null read-write"), 0x0B),
                new Mixed(Request.prIn(1, 8192, ro, "/dev/null read-only"), 0x0B),
                new Mixed(Request.prOut(0, 24, rw, "/dev/null read-write"), 0x0B),
                new Mixed(Request.prOut(1, 24, ro, "/dev/null read-only"), 0x05));
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int first = w * requests / WORKERS;
                int end = (w + 1) * requests / WORKERS;
                workers.add(pool.submit(() -> {
                    for (int i = first; i < end; i += REQUESTS_PER_CONNECTION) {
                        try (PrClient c = PrClient.connect(server.socket())) {
                            for (int j = i; j < Math.min(end, i + REQUESTS_PER_CONNECTION); j++) {
                                Mixed pick = mix.get(j % mix.size());
                                Reply reply = pick.request.sendOn(c);
                                assertEquals(pick.request + ": " + reply, 2, reply.status());
                                assertEquals(pick.request + ": " + reply, pick.senseKey, reply.senseKey());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < closedByRule; i++) {
            try (PrClient c = PrClient.connect(server.socket())) {
                switch (i % 4) {
                    case 0: // no fd
                        c.send(PrClient.prIn(0, 8));
                        break;
                    case 1: // two fds
                        c.send(PrClient.prIn(0, 8), rw, ro);
                        break;
                    case 2: // not a PR opcode
                        byte[] inquiry = PrClient.prIn(0, 8);
                        inquiry[0] = 0x12;
                        c.send(inquiry, rw);
                        break;
                    default: // we hang up mid-request, after the fd went over
                        c.send(Arrays.copyOf(PrClient.prIn(0, 8), 8), rw);
                        continue;
                }
                assertTrue(server + " kept connection " + i + " open", c.closedByServer());
            }
        }
    }
}
