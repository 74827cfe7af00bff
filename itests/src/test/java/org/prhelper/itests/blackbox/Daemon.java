package org.prhelper.itests.blackbox;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.newsclub.net.unix.ConnectionRefusedSocketException;
import org.prhelper.itests.Poll;

/**
 * A server process under test that listens on a Unix socket: started, ready once its socket path
 * exists, and always ended by {@link #close()} (SIGTERM, then SIGKILL), so no test leaves one behind.
 * Its output goes to target/blackbox-logs for a failure's post-mortem.
 */
final class Daemon implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private final Process process;
    private final Path socket;
    private final Path log;
    private final ProcessBuilder builder;
    /** Deleted by close(), unless handed on to the process that restarted this one. */
    private Path scratch;

    private Daemon(String name, Process process, Path socket, Path log, ProcessBuilder builder, Path scratch) {
        this.name = name;
        this.process = process;
        this.socket = socket;
        this.log = log;
        this.builder = builder;
        this.scratch = scratch;
    }

    /**
     * A fresh socket path in /tmp: short, because a Unix socket path is limited to 107 bytes and
     * the build folder may be deep; unique per JVM and call, so parallel builds do not collide.
     */
    static Path socketPath(String kind) {
        return Paths.get("/tmp", "prh-" + kind + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet() + ".sock");
    }

    /** Debian's qemu-pr-helper. */
    static Daemon reference() throws IOException {
        Path socket = socketPath("ref");
        return startServing("reference", List.of(Programs.qemuPrHelper().toString(), "-k", socket.toString()),
                Map.of(), socket, null);
    }

    /** Our agent through its launcher, with a data folder of its own so runs share no state. */
    static Daemon ours() throws IOException {
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = socketPath("ours");
        try {
            return startServing("ours", List.of(Programs.ourLauncher().toString(), "-k", socket.toString()),
                    Map.of("PRHELPER_DATA", data.toString()), socket, data);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(data);
            throw e;
        }
    }

    /**
     * Starts {@code command} and returns once {@code socket} exists. Fails with the end of the
     * process's output if it exits first or the socket does not appear in time.
     */
    static Daemon start(String name, List<String> command, Map<String, String> env, Path socket, Path scratch)
            throws IOException {
        Files.deleteIfExists(socket);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Daemon daemon = launch(name, builder, socket, scratch);
        if (!Poll.until(START_TIMEOUT, () -> Files.exists(socket) || !daemon.process.isAlive())
                || !Files.exists(socket)) {
            String why = daemon.process.isAlive() ? "did not create " + socket + " within " + START_TIMEOUT
                    : "exited with status " + daemon.process.exitValue() + " before creating " + socket;
            daemon.close();
            fail(name + " (" + String.join(" ", command) + ") " + why + "\n" + daemon.logTail());
        }
        return daemon;
    }

    /**
     * As {@link #start}, for a helper: returns once it has answered a connection's handshake on
     * {@code socket}. Our launcher binds the socket before the JVM starts, so the file alone says only
     * that connections wait; the handshake says the agent serves (and has its signal handlers).
     */
    static Daemon startServing(String name, List<String> command, Map<String, String> env, Path socket,
            Path scratch) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Daemon daemon = start(name, command, env, socket, scratch);
        try {
            // Refused: bound but not listening yet (a server that binds, then listens); try again.
            if (Poll.until(START_TIMEOUT, () -> !daemon.isAlive() || handshake(socket, deadline))
                    && daemon.isAlive()) {
                return daemon;
            }
            daemon.close();
            fail(name + " (" + String.join(" ", command) + ") did not answer a handshake on " + socket
                    + "\n" + daemon.logTail());
        } catch (UncheckedIOException e) {
            daemon.close();
            fail(name + " (" + String.join(" ", command) + ") did not answer a handshake on " + socket + ": "
                    + e.getCause() + "\n" + daemon.logTail());
        }
        return daemon;
    }

    /** One handshake, waiting for the server's flags until {@code deadline}; false if refused. */
    private static boolean handshake(Path socket, long deadline) {
        try {
            PrClient.connect(socket, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000)).close();
            return true;
        } catch (ConnectionRefusedSocketException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code builder} with its output to a new log file; returns at once. */
    private static Daemon launch(String name, ProcessBuilder builder, Path socket, Path scratch) throws IOException {
        Path logs = Files.createDirectories(Paths.get(System.getProperty("basedir", "."), "target", "blackbox-logs"));
        Path log = logs.resolve(name + "-" + SEQUENCE.incrementAndGet() + ".log");
        builder.redirectOutput(log.toFile());
        return new Daemon(name, builder.start(), socket, log, builder, scratch);
    }

    /**
     * A crash and a restart: SIGKILL, then the same command again at once, returning without waiting for
     * the socket, since the killed process leaves its socket file behind (the new process must replace
     * it). The new process gets this one's data folder (a warm bundle cache, as after a real crash).
     */
    Daemon killAndStartAgain() throws IOException, InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no socket file removed
        process.waitFor();
        Daemon next = launch(name, builder, socket, scratch);
        scratch = null;
        return next;
    }

    Path socket() {
        return socket;
    }

    /** Our agent's data folder (PRHELPER_DATA: bundle cache, log/); null for the reference. */
    Path dataDir() {
        return scratch;
    }

    /** The process id; for our launcher it is the JVM's, because the launcher execs it. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM and waits for the exit; fails (after SIGKILL) if the process does not exit. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(name + " did not exit within " + STOP_TIMEOUT + " of SIGTERM\n" + logTail());
        }
        return process.exitValue();
    }

    /** The last lines of the process's output, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (scratch != null) {
            deleteTree(scratch);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            List<Path> deepestFirst = new ArrayList<>();
            paths.sorted(Comparator.reverseOrder()).forEach(deepestFirst::add);
            for (Path p : deepestFirst) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
