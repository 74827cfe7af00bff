package org.prhelper.itests.blackbox;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.ErrorCollector;
import org.junit.rules.Timeout;

/**
 * Runs the same scripted exchanges against Debian's qemu-pr-helper and our agent side by side and
 * requires byte-identical replies and the same close/keep-open behaviour. None of the descriptors is
 * a SCSI device, so this pins down the protocol layer: framing, the close rules, the read-only check
 * and the errno-to-sense mapping. Every difference is collected, so one run lists them all.
 */
public class DifferentialIT {
    private static final String ANSWERED = "the connection stays open: the next request is answered";
    private static final String CLOSED = "the server has closed the connection";
    private static final int CLIENTS = 64;
    private static final int REQUESTS_PER_CLIENT = 50;

    private static TestFds fds;
    private static Daemon reference;
    private static Daemon ours;

    @Rule
    public final ErrorCollector errors = new ErrorCollector();
    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    @BeforeClass
    public static void startBoth() throws IOException {
        fds = new TestFds();
        reference = Daemon.reference();
        ours = Daemon.ours();
    }

    @AfterClass
    public static void stopBoth() throws IOException {
        try {
            if (ours != null) {
                ours.close();
            }
        } finally {
            try {
                if (reference != null) {
                    reference.close();
                }
            } finally {
                if (fds != null) {
                    fds.close();
                }
            }
        }
    }

    @Test
    public void scriptedCasesGetTheReferenceAnswers() {
        scriptedDifferences(fds, reference.socket(), ours.socket()).forEach(errors::addError);
    }

    /**
     * Runs every scripted case on the reference's socket and on ours; returns one error per case that
     * differs, and per case where the reference itself does not end as the protocol documents (which
     * guards the test). Empty when all agree. Other tests serve ours differently (bin/prhelper-vm).
     */
    static List<AssertionError> scriptedDifferences(TestFds fds, Path referenceSocket, Path ourSocket) {
        List<AssertionError> differences = new ArrayList<>();
        for (Case c : cases(fds)) {
            List<Object> expected = transcript(c, referenceSocket, fds);
            List<Object> actual = transcript(c, ourSocket, fds);
            Object end = expected.get(expected.size() - 1);
            if (!end.equals(c.documentedEnd)) {
                differences.add(new AssertionError("reference, " + c.name + ": ended with " + end + ", not "
                        + c.documentedEnd));
            }
            if (Reply.firstDifference(actual, expected) >= 0) {
                differences.add(new AssertionError(c.name + "\n  reference:\n" + render(expected)
                        + "\n  ours:\n" + render(actual)));
            }
        }
        return differences;
    }

    @Test
    public void concurrentClientsGetTheReferenceAnswers() throws Exception {
        List<Request> menu = answeredRequests(fds);
        Random random = new Random(20240229); // fixed: a failing mix comes back on the next run
        List<List<Request>> work = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            List<Request> requests = new ArrayList<>();
            for (int j = 0; j < REQUESTS_PER_CLIENT; j++) {
                requests.add(menu.get(random.nextInt(menu.size())));
            }
            work.add(requests);
        }
        // All connections of both servers exist before the first request, so the requests overlap.
        CyclicBarrier allConnected = new CyclicBarrier(2 * CLIENTS);
        ExecutorService pool = Executors.newFixedThreadPool(2 * CLIENTS);
        try {
            List<Future<List<Reply>>> referenceAnswers = new ArrayList<>();
            List<Future<List<Reply>>> ourAnswers = new ArrayList<>();
            for (List<Request> requests : work) {
                referenceAnswers.add(pool.submit(client(reference.socket(), requests, allConnected)));
                ourAnswers.add(pool.submit(client(ours.socket(), requests, allConnected)));
            }
            for (int i = 0; i < CLIENTS; i++) {
                List<Reply> expected = referenceAnswers.get(i).get(60, TimeUnit.SECONDS);
                List<Reply> actual = ourAnswers.get(i).get(60, TimeUnit.SECONDS);
                // Only the first difference of each client: the rest would mostly repeat it.
                for (int j = 0; j < REQUESTS_PER_CLIENT; j++) {
                    if (!actual.get(j).matchesReference(expected.get(j))) {
                        errors.addError(new AssertionError("concurrent client " + i + ", request " + j + ": "
                                + work.get(i).get(j) + "\n  reference: " + expected.get(j) + "\n  ours:      "
                                + actual.get(j)));
                        break;
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Callable<List<Reply>> client(Path socket, List<Request> requests, CyclicBarrier allConnected) {
        return () -> {
            try (PrClient c = PrClient.connect(socket)) {
                allConnected.await(30, TimeUnit.SECONDS);
                List<Reply> answers = new ArrayList<>();
                for (Request r : requests) {
                    answers.add(r.sendOn(c));
                }
                return answers;
            }
        };
    }

    /** Requests that both helpers answer on any connection; the scripted cases and the load use them. */
    private static List<Request> answeredRequests(TestFds fds) {
        Map<String, FileDescriptor> prInFds = new LinkedHashMap<>();
        prInFds.put("/dev/null read-write", fds.devNullReadWrite);
        prInFds.put("/dev/null read-only", fds.devNullReadOnly);
        prInFds.put("a regular file", fds.regularFile);
        prInFds.put("a directory", fds.directory);
        prInFds.put("/dev/null opened O_PATH", fds.devNullPathOnly);
        List<Request> requests = new ArrayList<>();
        prInFds.forEach((name, fd) -> {
            // READ KEYS, READ RESERVATION, REPORT CAPABILITIES, READ FULL STATUS, and one undefined.
            for (int serviceAction : new int[] {0, 1, 2, 3, 0x1F}) {
                for (int length : new int[] {0, 1, PrClient.MAX_TRANSFER}) {
                    requests.add(Request.prIn(serviceAction, length, fd, name));
                }
            }
        });
        Map<String, FileDescriptor> prOutFds = new LinkedHashMap<>();
        prOutFds.put("/dev/null read-write", fds.devNullReadWrite);
        prOutFds.put("/dev/null read-only", fds.devNullReadOnly);
        prOutFds.put("/dev/null opened O_PATH", fds.devNullPathOnly);
        prOutFds.forEach((name, fd) -> {
            // REGISTER .. REGISTER AND MOVE; read-only and O_PATH are refused without any SG_IO.
            for (int serviceAction = 0; serviceAction <= 7; serviceAction++) {
                for (int length : new int[] {0, 24, PrClient.MAX_TRANSFER}) {
                    requests.add(Request.prOut(serviceAction, length, fd, name));
                }
            }
        });
        return requests;
    }

    private static List<Case> cases(TestFds fds) {
        List<Case> cases = new ArrayList<>();
        FileDescriptor rw = fds.devNullReadWrite;
        FileDescriptor ro = fds.devNullReadOnly;

        cases.add(new Case("handshake: the server sends its flags, the client answers 0", ANSWERED, s -> {
            PrClient c = s.open();
            s.record("server feature flags " + Integer.toHexString(c.readInt()));
            c.writeInt(0);
            return c;
        }));
        for (int flags : new int[] {1, 0x80000000}) {
            cases.add(new Case("handshake: the client answers flags " + Integer.toHexString(flags), CLOSED, s -> {
                PrClient c = s.open();
                s.record("server feature flags " + Integer.toHexString(c.readInt()));
                c.writeInt(flags);
                return c;
            }));
        }

        for (Request r : answeredRequests(fds)) {
            cases.add(new Case(r.label, ANSWERED, s -> {
                PrClient c = s.connect();
                s.record(r.sendOn(c));
                return c;
            }));
        }

        // Bytes 5..8 hold PR OUT's real 32-bit length, but the protocol takes 7..8 (here 24).
        for (int high : new int[] {0x0102, 0xFFFF}) {
            byte[] cdb = PrClient.prOut(0, 24);
            cdb[5] = (byte) (high >> 8);
            cdb[6] = (byte) high;
            cases.add(new Case("PR OUT with CDB bytes 5..8 = " + hex(cdb, 5, 9) + " (length 24 in 7..8)", ANSWERED,
                    s -> {
                        PrClient c = s.connect();
                        s.record(c.request(rw, cdb, PrClient.parameters(24)));
                        return c;
                    }));
        }

        for (int opcode : new int[] {0x12, 0x00, 0xFF}) {
            byte[] cdb = PrClient.prIn(0, 8);
            cdb[0] = (byte) opcode;
            cases.add(sendsOnly(String.format("opcode 0x%02x with an fd", opcode), CLOSED, cdb, rw));
        }
        cases.add(sendsOnly("PR IN without an fd", CLOSED, PrClient.prIn(0, 8)));
        cases.add(sendsOnly("PR OUT without an fd", CLOSED, PrClient.prOut(0, 24)));
        cases.add(sendsOnly("PR IN with two fds in one message", CLOSED, PrClient.prIn(0, 8), rw, ro));
        cases.add(sendsOnly("PR OUT with two fds in one message", CLOSED, PrClient.prOut(0, 24), rw, ro));
        cases.add(new Case("PR IN with one fd on byte 0 and another on byte 5", CLOSED, s -> {
            PrClient c = s.connect();
            byte[] cdb = PrClient.prIn(0, 8);
            c.send(Arrays.copyOfRange(cdb, 0, 5), rw);
            c.send(Arrays.copyOfRange(cdb, 5, 16), ro);
            return c;
        }));
        // Facts SocketFuzzIT relies on: a descriptor arriving with the parameter list is dropped (the
        // CDB's is the request's), and one arriving with the client's flags is the handshake's.
        cases.add(new Case("PR OUT with a second fd on its parameter list", ANSWERED, s -> {
            PrClient c = s.connect();
            c.send(PrClient.prOut(0, 24), rw);
            c.send(Arrays.copyOf(PrClient.parameters(24), 10), ro);
            c.send(Arrays.copyOfRange(PrClient.parameters(24), 10, 24));
            s.record(c.readReply());
            return c;
        }));
        cases.add(new Case("client flags and PR IN in one write with the fd", CLOSED, s -> {
            PrClient c = s.open();
            s.record("server feature flags " + Integer.toHexString(c.readInt()));
            byte[] both = Arrays.copyOf(new byte[4], 4 + PrClient.CDB_BYTES);
            System.arraycopy(PrClient.prIn(0, 8), 0, both, 4, PrClient.CDB_BYTES);
            c.send(both, rw);
            return c;
        }));
        for (int length : new int[] {PrClient.MAX_TRANSFER + 1, 0xFFFF}) {
            cases.add(sendsOnly("PR IN with allocation length " + length, CLOSED, PrClient.prIn(0, length), rw));
            cases.add(sendsOnly("PR OUT with parameter list length " + length, CLOSED, PrClient.prOut(0, length), rw));
        }

        for (int fdAt : new int[] {0, 5, 15}) {
            cases.add(new Case("PR IN sent byte by byte, the fd with byte " + fdAt, ANSWERED, s -> {
                PrClient c = s.connect();
                c.sendByteByByte(PrClient.prIn(0, 8192), fdAt, rw);
                s.record(c.readReply());
                return c;
            }));
            cases.add(new Case("PR OUT sent byte by byte, the fd with byte " + fdAt, ANSWERED, s -> {
                PrClient c = s.connect();
                c.sendByteByByte(PrClient.prOut(0, 24), fdAt, rw);
                c.send(PrClient.parameters(24));
                s.record(c.readReply());
                return c;
            }));
        }

        cases.add(new Case("client disconnects mid-CDB, then a new connection", ANSWERED, s -> {
            try (PrClient c = s.connect()) {
                c.send(Arrays.copyOf(PrClient.prIn(0, 8192), 8), rw);
            }
            return servesANewConnection(s, fds);
        }));
        cases.add(new Case("client disconnects mid-parameter list, then a new connection", ANSWERED, s -> {
            try (PrClient c = s.connect()) {
                c.send(PrClient.prOut(0, 24), rw);
                c.send(Arrays.copyOf(PrClient.parameters(24), 10));
            }
            return servesANewConnection(s, fds);
        }));
        return cases;
    }

    private static PrClient servesANewConnection(Session s, TestFds fds) throws IOException {
        PrClient c = s.connect();
        s.record("new connection");
        s.record(c.request(fds.devNullReadWrite, PrClient.prIn(0, 8192), new byte[0]));
        return c;
    }

    /** A case that sends {@code bytes} in one message with {@code fdsToSend} and expects no reply. */
    private static Case sendsOnly(String name, String documentedEnd, byte[] bytes, FileDescriptor... fdsToSend) {
        return new Case(name, documentedEnd, s -> {
            PrClient c = s.connect();
            c.send(bytes, fdsToSend);
            return c;
        });
    }

    /**
     * What the case did and got on {@code socket}: the replies and notes it recorded, then whether
     * the connection survived: one more request is answered (its reply recorded too) or finds the
     * connection closed (EOF or reset).
     */
    private static List<Object> transcript(Case c, Path socket, TestFds fds) {
        try (Session s = new Session(socket)) {
            try {
                PrClient probed = c.script.run(s);
                s.record(probed.request(fds.devNullReadWrite, PrClient.prIn(0, 8192), new byte[0]));
                s.record(ANSWERED);
            } catch (SocketTimeoutException e) {
                s.record("no reply within the read timeout");
            } catch (IOException e) {
                s.record(CLOSED);
            }
            return s.entries;
        }
    }

    private static String render(List<Object> transcript) {
        StringBuilder text = new StringBuilder();
        transcript.forEach(entry -> text.append("    ").append(entry).append('\n'));
        return text.toString();
    }

    private static String hex(byte[] bytes, int from, int to) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes, from, to);
    }

    /** What a case does; returns the connection whose survival the probe then checks. */
    private interface Script {
        PrClient run(Session session) throws IOException;
    }

    private static final class Case {
        final String name;
        final String documentedEnd;
        final Script script;

        Case(String name, String documentedEnd, Script script) {
            this.name = name;
            this.documentedEnd = documentedEnd;
            this.script = script;
        }
    }

    /** The connections one case opens on one server (all closed afterwards) and what it saw. */
    private static final class Session implements Closeable {
        final List<Object> entries = new ArrayList<>();
        private final Path socket;
        private final List<PrClient> clients = new ArrayList<>();

        Session(Path socket) {
            this.socket = socket;
        }

        PrClient open() throws IOException {
            PrClient c = PrClient.open(socket);
            clients.add(c);
            return c;
        }

        PrClient connect() throws IOException {
            PrClient c = PrClient.connect(socket);
            clients.add(c);
            return c;
        }

        /** A reply, or a note such as the server's flags or the outcome. */
        void record(Object entry) {
            entries.add(entry);
        }

        @Override
        public void close() {
            for (PrClient c : clients) {
                try {
                    c.close();
                } catch (IOException e) {
                    // already closed by the peer: nothing left to release
                }
            }
        }
    }
}
