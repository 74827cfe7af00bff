package org.prhelper.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.Test;
import org.prhelper.api.PrRequest;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.codec.ScriptedChannel.Fd;

/**
 * Generative fuzzing of the protocol: random client streams (handshake flags, CDBs with any opcode
 * and transfer length, parameter lists, truncation anywhere), cut into random chunks as a stream
 * socket may deliver them, with 0 to 3 descriptors on any chunk, and pauses between chunks where a
 * non-blocking read finds nothing and reading must resume later. Each connection is checked against
 * a plain model of the close rules: the same outcomes in the same order, each request's descriptor
 * the one sent with its CDB, its parameter list byte for byte, reply lengths, and every descriptor
 * the server received closed exactly once (ScriptedChannel fails on a second close).
 *
 * <p>{@code -Dfuzz.connections=N -Dfuzz.seed=S} run a longer or different campaign; a failure names
 * the seed and connection that reproduce it.
 */
public class ServerProtocolFuzzTest {
    private static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 100_000);
    private static final long SEED = Long.getLong("fuzz.seed", 0x5052_4845_4C50L);

    /** One generated connection: the client's bytes, and per chunk its start offset and descriptors. */
    private static final class Script {
        final byte[] stream;
        final List<int[]> chunks = new ArrayList<>(); // {start, length}
        final List<Fd[]> fds = new ArrayList<>();
        /** Per chunk: whether a non-blocking read finds nothing just before it. */
        final List<Boolean> pauses = new ArrayList<>();

        Script(byte[] stream) {
            this.stream = stream;
        }

        ScriptedChannel channel() {
            ScriptedChannel ch = new ScriptedChannel();
            for (int i = 0; i < chunks.size(); i++) {
                int[] c = chunks.get(i);
                if (i < pauses.size() && pauses.get(i)) {
                    ch.pause();
                }
                ch.chunk(Arrays.copyOfRange(stream, c[0], c[0] + c[1]), fds.get(i));
            }
            return ch;
        }

        /** The descriptors of the chunks that start in [from, to): they arrive with those bytes. */
        List<Fd> fdsStartingIn(int from, int to) {
            List<Fd> out = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) {
                int start = chunks.get(i)[0];
                if (start >= from && start < to) {
                    out.addAll(Arrays.asList(fds.get(i)));
                }
            }
            return out;
        }
    }

    /** What the model expects of one request: its outcome, and for a request where it starts. */
    private record Expected(ReadOutcome outcome, int cdbAt, int length) {
    }

    @Test
    public void randomStreamsFollowTheCloseRules() throws IOException {
        Random seeds = new Random(SEED);
        Map<ReadOutcome, Integer> seen = new EnumMap<>(ReadOutcome.class);
        for (int i = 0; i < CONNECTIONS; i++) {
            long seed = seeds.nextLong();
            try {
                runOne(new Random(seed), seen);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("connection " + i + " (fuzz.seed " + SEED + ", connection seed " + seed
                        + "): " + e.getMessage(), e);
            }
        }
        // The campaign means something only if the generator reaches every rule, requests included.
        for (ReadOutcome outcome : ReadOutcome.values()) {
            assertTrue("outcomes " + seen, seen.getOrDefault(outcome, 0) > CONNECTIONS / 100);
        }
    }

    private static void runOne(Random random, Map<ReadOutcome, Integer> seen) throws IOException {
        Script script = generate(random);
        ScriptedChannel channel = script.channel();
        ServerProtocol protocol = new ServerProtocol(channel);
        protocol.start();
        List<Expected> model = model(script);
        int served = 0;
        PrRequest request = new PrRequest();
        PrResponse response = new PrResponse();
        for (Expected expected : model) {
            request.device(null);
            ReadOutcome outcome;
            do {
                // As the transport does: a non-blocking read that found nothing is resumed later.
                outcome = protocol.readRequest(request);
                seen.merge(outcome, 1, Integer::sum);
            } while (outcome == ReadOutcome.INCOMPLETE);
            assertEquals("outcome of request " + served, expected.outcome(), outcome);
            if (outcome != ReadOutcome.REQUEST) {
                break;
            }
            checkRequest(script, expected, request);
            int before = channel.written.size();
            respond(random, request, response, protocol);
            int dataLength = !request.isOut() && response.status() == ScsiStatus.GOOD
                    ? Math.min(response.dataLength(), request.transferLength()) : 0;
            assertEquals("reply length", ServerProtocol.REPLY_HEADER_SIZE + dataLength,
                    channel.written.size() - before);
            ((Fd) request.device()).close();
            served++;
        }
        for (Fd fd : channel.delivered()) {
            assertTrue("descriptor " + fd.number + " left open", fd.closed);
        }
    }

    private static void checkRequest(Script script, Expected expected, PrRequest request) {
        List<Fd> sent = script.fdsStartingIn(expected.cdbAt(), expected.cdbAt() + PrRequest.CDB_SIZE);
        assertSame("the request's descriptor is the one sent with its CDB", sent.get(0), request.device());
        assertArrayEquals("CDB", Arrays.copyOfRange(script.stream, expected.cdbAt(),
                expected.cdbAt() + PrRequest.CDB_SIZE), request.cdb());
        assertEquals("parameter list length", expected.length(), request.parameterLength());
        int at = expected.cdbAt() + PrRequest.CDB_SIZE;
        assertArrayEquals("parameter list", Arrays.copyOfRange(script.stream, at, at + expected.length()),
                Arrays.copyOf(request.parameters(), expected.length()));
    }

    private static void respond(Random random, PrRequest request, PrResponse response, ServerProtocol protocol)
            throws IOException {
        response.reset();
        if (random.nextInt(4) == 0) {
            response.statusOnly(ScsiStatus.RESERVATION_CONFLICT);
        } else {
            response.status(ScsiStatus.GOOD);
            response.dataLength(random.nextInt(PrRequest.MAX_TRANSFER + 1));
        }
        protocol.writeResponse(request, response);
    }

    /**
     * The close rules, written plainly: the outcome of each request up to and including the one that
     * ends the connection; a failed handshake is the only outcome of its connection.
     */
    private static List<Expected> model(Script script) {
        byte[] s = script.stream;
        List<Expected> out = new ArrayList<>();
        if (s.length < 4) {
            out.add(new Expected(ReadOutcome.END_OF_STREAM, 0, 0));
            return out;
        }
        if (ByteBuffer.wrap(s).getInt(0) != ServerProtocol.SERVER_FEATURES) {
            out.add(new Expected(ReadOutcome.REFUSED_FEATURES, 0, 0));
            return out;
        }
        int pos = 4;
        while (true) {
            if (pos + PrRequest.CDB_SIZE > s.length) {
                out.add(new Expected(ReadOutcome.END_OF_STREAM, pos, 0));
                return out;
            }
            int fds = script.fdsStartingIn(pos, pos + PrRequest.CDB_SIZE).size();
            int opcode = s[pos] & 0xFF;
            int length = ((s[pos + 7] & 0xFF) << 8) | (s[pos + 8] & 0xFF);
            ReadOutcome refused = fds > 1 ? ReadOutcome.TOO_MANY_FDS
                    : fds == 0 ? ReadOutcome.NO_FD
                    : opcode != PrRequest.OPCODE_PR_IN && opcode != PrRequest.OPCODE_PR_OUT ? ReadOutcome.BAD_OPCODE
                    : length > PrRequest.MAX_TRANSFER ? ReadOutcome.TOO_LONG : null;
            if (refused != null) {
                out.add(new Expected(refused, pos, 0));
                return out;
            }
            boolean prOut = opcode == PrRequest.OPCODE_PR_OUT;
            if (prOut && pos + PrRequest.CDB_SIZE + length > s.length) {
                out.add(new Expected(ReadOutcome.END_OF_STREAM, pos, 0));
                return out;
            }
            out.add(new Expected(ReadOutcome.REQUEST, pos, prOut ? length : 0));
            pos += PrRequest.CDB_SIZE + (prOut ? length : 0);
        }
    }

    private static Script generate(Random random) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Integer> cdbStarts = new ArrayList<>();
        int flags = random.nextInt(10) == 0 ? random.nextInt() : 0;
        bytes.write(flags >>> 24);
        bytes.write(flags >>> 16);
        bytes.write(flags >>> 8);
        bytes.write(flags);
        int requests = random.nextInt(5);
        for (int r = 0; r < requests; r++) {
            cdbStarts.add(bytes.size());
            byte[] cdb = new byte[PrRequest.CDB_SIZE];
            random.nextBytes(cdb);
            int kind = random.nextInt(20);
            cdb[0] = (byte) (kind < 9 ? PrRequest.OPCODE_PR_IN : kind < 18 ? PrRequest.OPCODE_PR_OUT : random.nextInt(256));
            int length = switch (random.nextInt(8)) {
                case 0 -> 0;
                case 1 -> 24;
                case 2 -> PrRequest.MAX_TRANSFER;
                case 3 -> PrRequest.MAX_TRANSFER + 1;
                case 4 -> random.nextInt(65536);
                default -> random.nextInt(64);
            };
            cdb[7] = (byte) (length >> 8);
            cdb[8] = (byte) length;
            bytes.writeBytes(cdb);
            if ((cdb[0] & 0xFF) == PrRequest.OPCODE_PR_OUT && length <= PrRequest.MAX_TRANSFER) {
                byte[] parameters = new byte[length];
                random.nextBytes(parameters);
                bytes.writeBytes(parameters);
            }
        }
        byte[] stream = bytes.toByteArray();
        if (random.nextInt(4) == 0) {
            stream = Arrays.copyOf(stream, random.nextInt(stream.length + 1)); // the client goes away
        }
        Script script = new Script(stream);
        int pos = 0;
        while (pos < stream.length) {
            int length = switch (random.nextInt(4)) {
                case 0 -> 1; // trickled
                case 1 -> stream.length - pos; // all at once
                default -> 1 + random.nextInt(40);
            };
            length = Math.min(length, stream.length - pos);
            // Clients mostly send a CDB with its descriptor in one sendmsg: usually end the chunk there.
            for (int start : cdbStarts) {
                if (start > pos && start < pos + length && random.nextInt(10) != 0) {
                    length = start - pos;
                    break;
                }
            }
            int count;
            if (cdbStarts.contains(pos)) {
                int p = random.nextInt(10);
                count = p < 8 ? 1 : p == 8 ? 0 : 2 + random.nextInt(2);
            } else {
                int p = random.nextInt(20);
                count = p < 17 ? 0 : p < 19 ? 1 : 2 + random.nextInt(2);
            }
            Fd[] fds = new Fd[count];
            for (int i = 0; i < count; i++) {
                fds[i] = new Fd(100 + pos * 4 + i);
            }
            script.chunks.add(new int[] {pos, length});
            script.fds.add(fds);
            script.pauses.add(random.nextInt(3) == 0);
            pos += length;
        }
        return script;
    }

    @Test
    public void theModelItselfCanFail() {
        // A stream whose one CDB carries two descriptors: the model must refuse it, or the campaign
        // above would compare the server with a model that accepts everything.
        byte[] stream = new byte[4 + PrRequest.CDB_SIZE];
        stream[4] = (byte) PrRequest.OPCODE_PR_IN;
        Script script = new Script(stream);
        script.chunks.add(new int[] {0, 4});
        script.fds.add(new Fd[0]);
        script.chunks.add(new int[] {4, PrRequest.CDB_SIZE});
        script.fds.add(new Fd[] {new Fd(1), new Fd(2)});
        List<Expected> model = model(script);
        if (model.get(0).outcome() != ReadOutcome.TOO_MANY_FDS) {
            fail("model: " + model);
        }
    }
}
