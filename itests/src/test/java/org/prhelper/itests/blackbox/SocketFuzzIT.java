package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertTrue;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.prhelper.itests.Poll;

/**
 * A seeded random client on real sockets: the same random sessions go to Debian's qemu-pr-helper
 * and to our agent, and every step must end alike (the same reply bytes, or the connection closed
 * by the server at the same step). Sessions mix handshakes (good, bad and short flags), CDBs of any
 * opcode and transfer length, parameter lists, writes cut at random byte boundaries, 0 to 4
 * descriptors of every {@link TestFds} kind on any write, and hang-ups at any byte or before the
 * reply. Between batches our agent must be alive, back to its descriptor count, and within an RSS
 * limit; a request that gets neither a reply nor a close within the client's read timeout fails.
 *
 * <p>{@code -Dfuzz.requests=N} (default 10,000 requests sent, not counting steps skipped after a
 * close) sets the campaign's size, {@code -Dfuzz.seed=S} its
 * seed, and {@code -Dfuzz.session=X} replays the one session a failure names.
 */
public class SocketFuzzIT {
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 10_000);
    private static final long SEED = Long.getLong("fuzz.seed", 0x50524845_4C504552L);
    private static final Long ONE_SESSION = Long.getLong("fuzz.session");
    private static final int WORKERS = Integer.getInteger("fuzz.workers", 4);
    /** Requests between two checks of the agent; the first batch is the warm-up for the fd baseline. */
    private static final int BATCH = Math.max(1, Math.min(1_000, REQUESTS / 4));
    private static final long RSS_LIMIT_KIB = Long.getLong("fuzz.rssLimitMiB", 768) * 1024;
    /** Descriptors a JVM may open lazily (a log file rolling over, a new thread's selector). */
    private static final int FD_TOLERANCE = 5;
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final int MAX_DIFFERENCES = 20;

    private static final String CLOSED = "closed by the server";
    private static final String HUNG_UP = "client hung up";
    private static final String SENT = "sent";

    private static TestFds fds;
    private static List<FileDescriptor> kinds;
    private static List<String> kindNames;
    private static Daemon reference;
    private static Daemon ours;

    @Rule
    public final Timeout timeout = Timeout.seconds(180 + REQUESTS / 10);

    @BeforeClass
    public static void startBoth() throws IOException {
        fds = new TestFds();
        Map<String, FileDescriptor> all = fds.all();
        kinds = new ArrayList<>(all.values());
        kindNames = new ArrayList<>(all.keySet());
        reference = Daemon.reference();
        ours = Daemon.ours();
    }

    @AfterClass
    public static void stopBoth() throws IOException {
        try (TestFds f = fds; Daemon o = ours; Daemon r = reference) {
            // closes all three, whichever exists
        }
    }

    @Test
    public void randomSessionsEndAsWithTheReference() throws Exception {
        if (ONE_SESSION != null) {
            List<String> differences = new ArrayList<>();
            Session session = Session.generate(ONE_SESSION, kinds.size());
            compare(session, differences, new Tally(), null);
            assertTrue(String.join("\n", differences), differences.isEmpty());
            return;
        }
        ProcessWatch watch = new ProcessWatch(ours.pid());
        long rssStart = watch.residentKib();
        long rssMax = rssStart;
        long baseline = -1;
        Random seeds = new Random(SEED);
        Tally tally = new Tally();
        List<String> differences = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            int requests = 0;
            while (requests < REQUESTS && differences.size() < MAX_DIFFERENCES) {
                List<Session> batch = new ArrayList<>();
                // Our agent's connections that are still open: junixsocket closes a connection's
                // received descriptors with it, so a descriptor kept per request shows only while
                // the connection lives, as QEMU's does for the VM's lifetime.
                List<PrClient> open = Collections.synchronizedList(new ArrayList<>());
                for (int n = 0; n < BATCH; n += batch.get(batch.size() - 1).requests) {
                    batch.add(Session.generate(seeds.nextLong(), kinds.size()));
                }
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    int first = w;
                    running.add(pool.submit(() -> {
                        for (int i = first; i < batch.size() && differences.size() < MAX_DIFFERENCES; i += WORKERS) {
                            compare(batch.get(i), differences, tally, open);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
                requests = tally.requests();
                assertTrue("our agent died after " + requests + " requests\n" + ours.logTail(), ours.isAlive());
                if (baseline < 0) {
                    closeAll(open);
                    baseline = watch.settledDescriptorCount(SETTLE);
                } else {
                    // Two descriptors per open connection (its socket, and the duplicate the serving
                    // threads watch with epoll), none per request served on it.
                    long withOpen = baseline + 2L * open.size() + FD_TOLERANCE;
                    assertTrue("our agent has " + watch.descriptorCount() + " descriptors open after " + requests
                            + " requests with " + open.size() + " connections open, " + baseline
                            + " after the warm-up with none\n" + watch.descriptorList(),
                            Poll.until(SETTLE, () -> watch.descriptorCount() <= withOpen));
                    closeAll(open);
                    long limit = baseline + FD_TOLERANCE;
                    assertTrue("our agent has " + watch.descriptorCount() + " descriptors open after " + requests
                            + " requests with no connection open, " + baseline + " after the warm-up\n"
                            + watch.descriptorList(), Poll.until(SETTLE, () -> watch.descriptorCount() <= limit));
                }
                long rss = watch.residentKib();
                rssMax = Math.max(rssMax, rss);
                assertTrue("our agent's RSS is " + rss / 1024 + " MiB after " + requests + " requests, over the "
                        + RSS_LIMIT_KIB / 1024 + " MiB limit", rss <= RSS_LIMIT_KIB);
                System.out.printf("%d requests, %.1f s: %d descriptors (baseline %d), RSS %d MiB%n", requests,
                        (System.nanoTime() - started) / 1e9, watch.descriptorCount(), baseline, rss / 1024);
            }
            System.out.printf("seed %d: %d requests in %d sessions, %.1f s; RSS %d MiB at start, %d MiB at most;"
                    + " outcomes at the reference:%n%s", SEED, requests, tally.sessions,
                    (System.nanoTime() - started) / 1e9, rssStart / 1024, rssMax / 1024, tally);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(differences.size() + " sessions differ (the first " + MAX_DIFFERENCES + " stop the run):\n"
                + String.join("\n", differences), differences.isEmpty());
        // Guards the fuzzer itself: a generator that never reaches these paths would pass vacuously.
        assertTrue("no reply seen:\n" + tally, tally.replies() > 0);
        assertTrue("no close by the server seen:\n" + tally, tally.count(CLOSED) > 0);
        assertTrue("no hang-up sent:\n" + tally, tally.count(HUNG_UP) > 0);
    }

    private static void closeAll(List<PrClient> clients) throws IOException {
        for (PrClient c : clients) {
            c.close();
        }
        clients.clear();
    }

    /**
     * Runs {@code session} against both servers; our agent's connection goes to {@code keepOpen} if
     * it is still open at the end (null: closed); a difference is described in {@code differences}.
     */
    private static void compare(Session session, List<String> differences, Tally tally, List<PrClient> keepOpen)
            throws IOException {
        List<Object> expected = session.runOn(reference.socket(), null);
        List<Object> actual = session.runOn(ours.socket(), keepOpen);
        tally.add(session, expected);
        int step = Reply.firstDifference(actual, expected);
        if (step >= 0) {
            differences.add("session " + session.seed + " (replay: -Dfuzz.session=" + session.seed + "), step "
                    + step + " differs\n" + session.describe(expected, actual));
        }
    }

    /** How one step ends: read the reply (or the close), read nothing (the handshake), or hang up. */
    private enum End {
        REPLY, NOTHING, HANG_UP
    }

    /** One write of a step: bytes [from, to) with descriptors (indices into the kinds). */
    private record Chunk(int from, int to, int[] fds, boolean pauseBefore) {
    }

    private record Step(String label, byte[] bytes, List<Chunk> chunks, End end, boolean request) {
    }

    /** One connection's worth of steps, all drawn from one seed so a failure can be replayed alone. */
    private static final class Session {
        final long seed;
        final List<Step> steps = new ArrayList<>();
        int requests;
        private final Random random;
        private final int kindCount;

        private Session(long seed, int kindCount) {
            this.seed = seed;
            this.random = new Random(seed);
            this.kindCount = kindCount;
        }

        static Session generate(long seed, int kindCount) {
            Session s = new Session(seed, kindCount);
            s.generate();
            return s;
        }

        private void generate() {
            int handshake = random.nextInt(100);
            if (handshake < 3) {
                int flags = random.nextBoolean() ? 1 << random.nextInt(32) : random.nextInt() | 1;
                add(writes("client flags " + Integer.toHexString(flags), intBytes(flags), End.NOTHING, false));
            } else if (handshake < 5) {
                add(writes("client flags cut short", new byte[random.nextInt(4)], End.HANG_UP, false));
                return;
            } else if (handshake < 10) {
                // The flags and the first request in one stream: a descriptor on the first write is
                // taken by the handshake's read.
                byte[] request = requestBytes();
                byte[] both = ByteBuffer.allocate(4 + request.length).putInt(0).put(request).array();
                add(request("client flags 0 and a request in one stream: " + describeRequest(request), both));
            } else {
                add(writes("client flags 0", intBytes(0), End.NOTHING, false));
            }
            int count = 1 + (int) Math.min(40, -6 * Math.log(1 - random.nextDouble()));
            for (int i = 0; i < count && steps.get(steps.size() - 1).end != End.HANG_UP; i++) {
                byte[] request = requestBytes();
                add(request(describeRequest(request), request));
            }
        }

        private void add(Step step) {
            steps.add(step);
            if (step.request) {
                requests++;
            }
        }

        /** A request step: one in 25 hangs up at a random byte (possibly after all, before the reply). */
        private Step request(String label, byte[] bytes) {
            if (random.nextInt(25) == 0) {
                int cut = 1 + random.nextInt(bytes.length);
                return writes(label + ", hung up after " + cut + " of " + bytes.length + " bytes",
                        Arrays.copyOf(bytes, cut), End.HANG_UP, true);
            }
            return writes(label, bytes, End.REPLY, true);
        }

        /** CDB (any opcode, mostly PR IN/OUT; any transfer length, mostly legal) and PR OUT's parameters. */
        private byte[] requestBytes() {
            byte[] cdb = new byte[PrClient.CDB_BYTES];
            if (random.nextInt(4) == 0) {
                random.nextBytes(cdb);
            }
            int pick = random.nextInt(100);
            cdb[0] = (byte) (pick < 48 ? PrClient.PR_IN : pick < 96 ? PrClient.PR_OUT : random.nextInt(256));
            cdb[1] = (byte) random.nextInt(256);
            int length = transferLength();
            cdb[7] = (byte) (length >> 8);
            cdb[8] = (byte) length;
            if ((cdb[0] & 0xFF) != PrClient.PR_OUT || length > PrClient.MAX_TRANSFER) {
                return cdb; // the server reads no parameters (and closes unless it is a PR IN)
            }
            byte[] request = Arrays.copyOf(cdb, cdb.length + length);
            byte[] parameters = new byte[length];
            random.nextBytes(parameters);
            System.arraycopy(parameters, 0, request, cdb.length, length);
            return request;
        }

        private int transferLength() {
            int pick = random.nextInt(100);
            if (pick < 10) {
                return 0;
            } else if (pick < 25) {
                return 24; // a basic PR OUT parameter list
            } else if (pick < 45) {
                return random.nextInt(33);
            } else if (pick < 55) {
                return PrClient.MAX_TRANSFER;
            } else if (pick < 96) {
                return random.nextInt(PrClient.MAX_TRANSFER + 1);
            } else if (pick < 98) {
                return PrClient.MAX_TRANSFER + 1;
            }
            return PrClient.MAX_TRANSFER + 1 + random.nextInt(0xFFFF - PrClient.MAX_TRANSFER);
        }

        /** Cuts {@code bytes} into writes and puts 0 to 4 descriptors on them. */
        private Step writes(String label, byte[] bytes, End end, boolean request) {
            List<int[]> cuts = split(bytes.length);
            int fdCount = fdCount(end == End.NOTHING);
            List<List<Integer>> fdsPerChunk = new ArrayList<>();
            cuts.forEach(c -> fdsPerChunk.add(new ArrayList<>()));
            boolean scatter = random.nextInt(100) < 15;
            for (int i = 0; i < fdCount && !cuts.isEmpty(); i++) {
                fdsPerChunk.get(scatter ? random.nextInt(cuts.size()) : 0).add(random.nextInt(kindCount));
            }
            List<Chunk> chunks = new ArrayList<>();
            for (int i = 0; i < cuts.size(); i++) {
                int[] fdsHere = fdsPerChunk.get(i).stream().mapToInt(Integer::intValue).toArray();
                chunks.add(new Chunk(cuts.get(i)[0], cuts.get(i)[1], fdsHere, random.nextInt(100) < 3));
            }
            return new Step(label, bytes, chunks, end, request);
        }

        /** Mostly one descriptor with a request, as QEMU sends; the handshake mostly none. */
        private int fdCount(boolean handshake) {
            int pick = random.nextInt(100);
            if (handshake) {
                return pick < 95 ? 0 : 1 + random.nextInt(2);
            }
            return pick < 3 ? 0 : pick < 95 ? 1 : pick < 98 ? 2 : 3 + random.nextInt(2);
        }

        /** Write boundaries: QEMU's (CDB, then parameters), one write, byte by byte, or random cuts. */
        private List<int[]> split(int length) {
            List<Integer> ends = new ArrayList<>();
            int mode = random.nextInt(100);
            if (length == 0) {
                return List.of();
            } else if (mode < 45) {
                if (length > PrClient.CDB_BYTES) {
                    ends.add(PrClient.CDB_BYTES);
                }
            } else if (mode < 60) {
                // one write of everything
            } else if (mode < 72) {
                for (int i = 1; i < Math.min(length, 24); i++) {
                    ends.add(i);
                }
            } else {
                for (int i = random.nextInt(6); i >= 0; i--) {
                    if (length > 1) {
                        ends.add(1 + random.nextInt(length - 1));
                    }
                }
            }
            ends.add(length);
            List<int[]> cuts = new ArrayList<>();
            int from = 0;
            for (int end : new TreeSet<>(ends)) {
                cuts.add(new int[] {from, end});
                from = end;
            }
            return cuts;
        }

        /**
         * What the server did at each step: its feature flags first, then per step the reply, the
         * close, or that it was only sent to or hung up on; it stops at the first close or hang-up.
         */
        List<Object> runOn(Path socket, List<PrClient> keepOpen) throws IOException {
            List<Object> outcomes = new ArrayList<>();
            PrClient c = PrClient.open(socket);
            boolean open = false;
            try {
                outcomes.add("server flags " + Integer.toHexString(c.readInt()));
                open = true;
                for (int i = 0; i < steps.size() && open; i++) {
                    Object outcome = run(steps.get(i), c, socket, i);
                    outcomes.add(outcome);
                    open = !outcome.equals(CLOSED) && !outcome.equals(HUNG_UP);
                }
            } finally {
                if (open && keepOpen != null) {
                    keepOpen.add(c);
                } else {
                    c.close();
                }
            }
            return outcomes;
        }

        private Object run(Step step, PrClient c, Path socket, int index) throws IOException {
            try {
                for (Chunk chunk : step.chunks) {
                    if (chunk.pauseBefore) {
                        LockSupport.parkNanos(300_000); // lets the server read what came so far
                    }
                    FileDescriptor[] attached = Arrays.stream(chunk.fds).mapToObj(kinds::get)
                            .toArray(FileDescriptor[]::new);
                    c.send(Arrays.copyOfRange(step.bytes, chunk.from, chunk.to), attached);
                }
                if (step.end == End.HANG_UP) {
                    return HUNG_UP;
                } else if (step.end == End.NOTHING) {
                    return SENT;
                }
                return c.readReply();
            } catch (SocketTimeoutException e) {
                throw new AssertionError(socket + ": neither a reply nor a close; session " + seed
                        + " (replay: -Dfuzz.session=" + seed + "), step " + (index + 1) + ": " + step.label, e);
            } catch (IOException e) {
                // Refused write, end of stream or reset: the server has closed. Before a hang-up,
                // whether its close beat our last write is a race, so only the hang-up is recorded.
                return step.end == End.HANG_UP ? HUNG_UP : CLOSED;
            }
        }

        /** Both transcripts, step by step, with each step's writes. */
        String describe(List<Object> expected, List<Object> actual) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
                text.append("  ").append(i).append(": ");
                text.append(i == 0 ? "connect" : steps.get(i - 1).label + " in writes " + writes(steps.get(i - 1)));
                text.append("\n    reference: ").append(i < expected.size() ? expected.get(i) : "-");
                text.append("\n    ours:      ").append(i < actual.size() ? actual.get(i) : "-").append('\n');
            }
            return text.toString();
        }

        private static String writes(Step step) {
            StringBuilder text = new StringBuilder();
            for (Chunk c : step.chunks) {
                text.append('[').append(c.from).append(',').append(c.to).append(')');
                for (int fd : c.fds) {
                    text.append("+fd(").append(kindNames.get(fd)).append(')');
                }
                text.append(c.pauseBefore ? " after a pause " : " ");
            }
            return text.toString().trim();
        }

        private static String describeRequest(byte[] request) {
            int length = ((request[7] & 0xFF) << 8) | (request[8] & 0xFF);
            return String.format("CDB %s (opcode 0x%02x, transfer length %d)%s",
                    HexFormat.of().formatHex(request, 0, PrClient.CDB_BYTES), request[0] & 0xFF, length,
                    request.length > PrClient.CDB_BYTES ? " + " + (request.length - PrClient.CDB_BYTES)
                            + " parameter bytes" : "");
        }

        private static byte[] intBytes(int value) {
            return ByteBuffer.allocate(4).putInt(value).array();
        }
    }

    /** Counts of the reference's outcomes, so a run shows what it exercised. */
    private static final class Tally {
        private final SortedMap<String, Integer> counts = new TreeMap<>();
        int sessions;
        /** Request steps the reference was sent (a close skips the session's rest). */
        private int requests;

        synchronized int requests() {
            return requests;
        }

        synchronized void add(Session session, List<Object> outcomes) {
            sessions++;
            for (int i = 1; i < outcomes.size(); i++) {
                if (session.steps.get(i - 1).request) {
                    requests++;
                }
            }
            for (Object o : outcomes) {
                String key = o instanceof Reply ? "reply: " + ((Reply) o).summary() : o.toString();
                counts.merge(key.startsWith("server flags") ? "server flags" : key, 1, Integer::sum);
            }
        }

        synchronized int count(String outcome) {
            return counts.getOrDefault(outcome, 0);
        }

        synchronized int replies() {
            return counts.entrySet().stream().filter(e -> e.getKey().startsWith("reply"))
                    .mapToInt(Map.Entry::getValue).sum();
        }

        @Override
        public synchronized String toString() {
            StringBuilder text = new StringBuilder();
            counts.forEach((k, v) -> text.append(String.format("%8d  %s%n", v, k)));
            return text.toString();
        }
    }
}
