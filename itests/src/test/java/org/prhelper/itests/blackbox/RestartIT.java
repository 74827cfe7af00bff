package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.prhelper.itests.Poll;

/**
 * Restart-to-first-request (issue 9): our agent is killed with SIGKILL while {@value #CLIENTS} clients
 * send READ KEYS on /dev/null in a closed loop, and started again at once on the same socket path and
 * data folder, as a supervisor would. The killed agent's socket file stays behind and must not block
 * the new one. Measured from the new process's start: the first request answered, and every client
 * answered on a new connection. Prints a key=value line per restart, also to target/restart-figures.txt.
 */
public class RestartIT {
    private static final int CLIENTS = 8;
    private static final int RESTARTS = 2;
    /** A client's wait for a reply or handshake: a fresh JVM is slow, a hang is far longer. */
    private static final int CLIENT_TIMEOUT_MILLIS = 30_000;
    private static final Duration SERVE_AGAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final int READ_KEYS = 0x00;
    private static final int STATUS_CHECK_CONDITION = 2;
    private static final int ABORTED_COMMAND = 0x0B;

    @Test
    public void killedAgentRestartsAndServesItsClientsAgain() throws Exception {
        Daemon agent = Daemon.ours();
        List<Looper> clients = new ArrayList<>();
        StringBuilder figures = new StringBuilder();
        try {
            // Before the clients start: one that connects at once must count as served.
            long warm = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Looper(agent.socket(), i));
            }
            assertTrue("clients served before the first kill",
                    Poll.until(SERVE_AGAIN_TIMEOUT, () -> clients.stream().allMatch(c -> c.servedSince(warm))));
            for (int restart = 1; restart <= RESTARTS; restart++) {
                long kill = System.nanoTime();
                // Drops the reference to the killed agent without close(): that would delete the socket file.
                agent = agent.killAndStartAgain();
                long started = System.nanoTime();
                assertTrue("restart " + restart + ": not every client served again within " + SERVE_AGAIN_TIMEOUT
                        + "\n" + agent.logTail(),
                        Poll.until(SERVE_AGAIN_TIMEOUT, () -> clients.stream().allMatch(c -> c.servedSince(started))));
                long first = clients.stream().mapToLong(Looper::firstAnswer).min().getAsLong();
                long all = clients.stream().mapToLong(Looper::firstAnswer).max().getAsLong();
                figures.append("restart n=").append(restart).append(" clients=").append(CLIENTS)
                        .append(" kill_to_start_ms=").append((started - kill) / 1_000_000)
                        .append(" start_to_first_ms=").append((first - started) / 1_000_000)
                        .append(" start_to_all_ms=").append((all - started) / 1_000_000).append('\n');
            }
        } finally {
            for (Looper c : clients) {
                c.stop();
            }
            agent.close();
            System.out.print(figures);
            Files.writeString(Path.of(System.getProperty("basedir", "."), "target", "restart-figures.txt"),
                    figures);
        }
        for (Looper c : clients) {
            assertEquals("client " + c.index, null, c.failure);
        }
    }

    /**
     * One client as QEMU: one request at a time, a new connection after a broken one. A wrong reply or
     * a request with neither reply nor close is a failure; a closed connection is what a kill does.
     */
    private static final class Looper implements Runnable {
        final int index;
        private final Path socket;
        private final Thread thread;
        private volatile boolean stopping;
        private volatile long connectedAt;
        /** The first answer on the current connection, 0 before it. */
        private volatile long firstAnswer;
        volatile String failure;

        Looper(Path socket, int index) {
            this.socket = socket;
            this.index = index;
            thread = new Thread(this, "restart-client-" + index);
            thread.setDaemon(true);
            thread.start();
        }

        /** Answered on a connection opened after {@code since}: served by the agent started then. */
        boolean servedSince(long since) {
            long connected = connectedAt;
            long first = firstAnswer;
            return connected - since > 0 && first != 0 && first - connected >= 0;
        }

        long firstAnswer() {
            return firstAnswer;
        }

        @Override
        public void run() {
            try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                while (!stopping && failure == null) {
                    try (PrClient client = PrClient.connect(socket, CLIENT_TIMEOUT_MILLIS)) {
                        firstAnswer = 0;
                        connectedAt = System.nanoTime();
                        client.readTimeout(CLIENT_TIMEOUT_MILLIS);
                        while (!stopping) {
                            Reply reply = client.request(devNull.getFD(), PrClient.prIn(READ_KEYS, 8192), new byte[0]);
                            if (reply.status() != STATUS_CHECK_CONDITION || reply.senseKey() != ABORTED_COMMAND) {
                                failure = "reply " + reply.summary();
                                return;
                            }
                            if (firstAnswer == 0) {
                                firstAnswer = System.nanoTime();
                            }
                        }
                    } catch (SocketTimeoutException e) {
                        failure = "no reply and no close within " + CLIENT_TIMEOUT_MILLIS + " ms";
                    } catch (IOException e) {
                        // Refused (stale socket file, nobody listening) or closed by the kill: QEMU reconnects too.
                        Thread.sleep(5);
                    }
                }
            } catch (IOException | InterruptedException e) {
                failure = e.toString();
            }
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join(CLIENT_TIMEOUT_MILLIS + 5_000L);
        }
    }
}
