package org.prhelper.itests.paxexam;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients in a closed loop, each on its own connection and thread, sending READ KEYS on /dev/null as
 * QEMU would: one request at a time, and after a broken connection a new one for the next request.
 * It counts what a guest would notice: wrong replies, connections closed under a request, and requests
 * that got neither a reply nor a close (a hang: QEMU would wait for ever, holding the device's lock).
 */
final class Traffic implements AutoCloseable {
    /** Between connection attempts while the socket is away; QEMU waits 1 s, shorter measures the gap finer. */
    private static final long RECONNECT_PAUSE_MILLIS = 5;

    private final Path socket;
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong hung = new AtomicLong();
    private final AtomicLong longestWaitNanos = new AtomicLong();
    private volatile String firstFailure;
    private volatile boolean stopping;

    Traffic(Path socket, int clients) {
        this.socket = socket;
        for (int i = 0; i < clients; i++) {
            Worker w = new Worker();
            Thread t = new Thread(w, "hotswap-client-" + i);
            t.setDaemon(true);
            w.thread = t;
            workers.add(w);
            t.start();
        }
    }

    /** The counters so far; the longest wait since the last {@link #resetLongestWait()}. */
    Counts counts() {
        return new Counts(answered.get(), failed.get(), dropped.get(), hung.get(), longestWaitNanos.get());
    }

    void resetLongestWait() {
        longestWaitNanos.set(0);
    }

    String firstFailure() {
        return firstFailure;
    }

    /** Every client has had a right answer later than {@code since} (System.nanoTime()). */
    boolean allAnsweredSince(long since) {
        return workers.stream().allMatch(w -> w.lastAnswer - since > 0);
    }

    /**
     * When the last client to be served on a connection opened after {@code since} got its first answer
     * there, or -1 while some client has no such answer yet: the time the socket serves everyone again.
     */
    long allServedOnNewConnectionsAt(long since) {
        long last = since;
        for (Worker w : workers) {
            long connected = w.connectedAt;
            long first = w.firstAnswerOnConnection;
            if (connected - since <= 0 || first == 0 || first - connected < 0) {
                return -1;
            }
            last = first - last > 0 ? first : last;
        }
        return last;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Worker w : workers) {
            // A request in flight ends within the client's reply timeout.
            w.thread.join(15_000);
        }
    }

    record Counts(long answered, long failed, long dropped, long hung, long longestWaitNanos) {
        Counts minus(Counts before) {
            return new Counts(answered - before.answered, failed - before.failed, dropped - before.dropped,
                    hung - before.hung, longestWaitNanos);
        }
    }

    private final class Worker implements Runnable {
        Thread thread;
        volatile long lastAnswer = System.nanoTime() - Long.MAX_VALUE / 2;
        volatile long connectedAt;
        volatile long firstAnswerOnConnection;

        @Override
        public void run() {
            try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                Client client = null;
                while (!stopping) {
                    if (client == null) {
                        client = connect();
                        continue;
                    }
                    if (!request(client, devNull.getFD())) {
                        closeQuietly(client);
                        client = null;
                    }
                }
                closeQuietly(client);
            } catch (IOException | InterruptedException e) {
                fail("client stopped: " + e);
            }
        }

        /** A new connection after the handshake, or null: the socket is away (QEMU's reconnect fails too). */
        private Client connect() throws InterruptedException {
            try {
                Client c = Client.connect(socket);
                firstAnswerOnConnection = 0;
                connectedAt = System.nanoTime();
                return c;
            } catch (SocketTimeoutException e) {
                // Accepted but no handshake within the reply timeout: as bad as a hung request.
                hung.incrementAndGet();
                fail("handshake timed out");
            } catch (IOException | AssertionError e) {
                // Refused, or closed during the handshake by a listener that is stopping: try again.
            }
            Thread.sleep(RECONNECT_PAUSE_MILLIS);
            return null;
        }

        /** One request; false if the connection is gone (closed by the agent, or hung). */
        private boolean request(Client client, FileDescriptor fd) {
            long start = System.nanoTime();
            byte[] reply;
            try {
                client.send(Karaf.READ_KEYS, fd, new byte[0]);
                reply = client.readReply(Karaf.ENOTTY_REPLY.length);
            } catch (SocketTimeoutException e) {
                hung.incrementAndGet();
                fail("no reply and no close within the client's timeout");
                return false;
            } catch (IOException e) {
                // End of stream, EPIPE or reset: QEMU fails this command with 0B/08/00 and reconnects.
                dropped.incrementAndGet();
                return false;
            }
            long now = System.nanoTime();
            longestWaitNanos.accumulateAndGet(now - start, Math::max);
            if (!Arrays.equals(Karaf.ENOTTY_REPLY, reply)) {
                failed.incrementAndGet();
                fail("reply " + Karaf.hex(reply));
                return true;
            }
            answered.incrementAndGet();
            lastAnswer = now;
            if (firstAnswerOnConnection == 0) {
                firstAnswerOnConnection = now;
            }
            return true;
        }

        private void fail(String what) {
            if (firstFailure == null) {
                firstFailure = thread.getName() + ": " + what;
            }
        }
    }

    private static void closeQuietly(Client client) {
        if (client == null) {
            return;
        }
        try {
            client.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }
}
