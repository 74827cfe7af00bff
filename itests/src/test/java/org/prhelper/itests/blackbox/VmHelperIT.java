package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.ErrorCollector;
import org.junit.rules.Timeout;
import org.prhelper.itests.Poll;

/**
 * bin/prhelper-vm, the per-VM helper for libvirt's pr_helper, against the distribution's shared agent:
 * started the way libvirt starts a helper (its own session, a locked pidfile descriptor inherited, no
 * fork expected), reached by QEMU, answering like Debian's qemu-pr-helper through the agent, stopping
 * cleanly on SIGTERM, surviving an agent restart, starting the agent itself when none runs.
 */
public class VmHelperIT {
    /** The per-VM budget; a JVM per VM costs 150 MB and more. */
    private static final long RSS_LIMIT_KB = 5 * 1024;
    /** A JVM agent started on a loaded 2-core machine. */
    private static final Duration AGENT_START = Duration.ofSeconds(90);

    /**
     * What libvirt does before exec'ing a pr_helper: a new session, the pidfile opened, locked with
     * fcntl and written with the helper's pid (which exec keeps), its descriptor left open across exec.
     */
    private static final String LIBVIRT_DAEMONIZE = String.join("\n",
            "use strict; use POSIX (); use Fcntl;",
            "my $pidfile = shift;",
            "POSIX::setsid() or die \"setsid: $!\\n\";",
            "$^F = 1000;",
            "sysopen(my $fh, $pidfile, O_WRONLY | O_CREAT, 0644) or die \"open $pidfile: $!\\n\";",
            "my $lock = pack('s s x4 q q i x4', F_WRLCK, 0, 0, 0, 0);",
            "fcntl($fh, F_SETLK, $lock) or die \"lock: $!\\n\";",
            "truncate($fh, 0) or die \"truncate: $!\\n\";",
            "syswrite($fh, \"$$\\n\") or die \"write: $!\\n\";",
            "exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\\n\";");

    @Rule
    public final Timeout timeout = Timeout.seconds(300);
    @Rule
    public final ErrorCollector errors = new ErrorCollector();

    private Path dir;
    private Path control;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        // Short: socket paths are limited to 107 bytes.
        dir = Files.createTempDirectory(Path.of("/tmp"), "prv");
        control = dir.resolve("control.sock");
    }

    @After
    public void tearDown() throws Exception {
        Collections.reverse(cleanup);
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        cleanup.add(closeable);
        return closeable;
    }

    /** The shared agent: the distribution's launcher with a control socket, ready once that exists. */
    private Daemon agent(Path data) throws IOException {
        return track(Daemon.start("agent", List.of(Programs.ourLauncher().toString(), "-k",
                dir.resolve("agent.sock").toString()), Map.of("PRHELPER_DATA", data.toString(),
                        "PRHELPER_CONTROL_SOCKET", control.toString()), control, null));
    }

    /** An agent prhelper-vm started itself (it writes karaf.pid into PRHELPER_DATA): stopped at the end. */
    private void stopAgentStartedIn(Path data) {
        cleanup.add(() -> {
            Path pidFile = data.resolve("karaf.pid");
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                assertTrue("agent " + pid + " still running",
                        Poll.until(Duration.ofSeconds(20), () -> ProcessHandle.of(pid).isEmpty()));
            }
        });
    }

    /** prhelper-vm {@code args}, exec'd by libvirt's daemonizing step with {@code pidfile}. */
    private static List<String> asLibvirtStartsIt(Path pidfile, String... args) {
        List<String> command = new ArrayList<>(List.of(Programs.perl().toString(), "-e", LIBVIRT_DAEMONIZE,
                pidfile.toString(), Programs.prhelperVm().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private Daemon vm(String name, Path socket, List<String> command, Map<String, String> env) throws IOException {
        return track(Daemon.start(name, command, env, socket, null));
    }

    /** READ KEYS on /dev/null: every helper answers CHECK CONDITION, ABORTED COMMAND (ENOTTY). */
    private static void assertAnswered(String what, PrClient client) throws IOException {
        try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
            Reply reply = client.request(devNull.getFD(), PrClient.prIn(0, 8192), new byte[0]);
            assertEquals(what + ": " + reply, 2, reply.status());
            assertEquals(what + ": " + reply, 0x0B, reply.senseKey());
        }
    }

    private static void assertAnswered(Path socket) throws IOException {
        try (PrClient c = PrClient.connect(socket)) {
            assertAnswered(socket.toString(), c);
        }
    }

    @Test
    public void servesAVmSocketThroughTheAgentAsLibvirtRunsIt() throws Exception {
        Path data = Files.createDirectories(dir.resolve("agent-data"));
        Daemon agent = agent(data);
        Path vmDir = Files.createDirectories(dir.resolve("domain-1-web1"));
        Path socket = vmDir.resolve("pr-helper0.sock");
        Path pidfile = vmDir.resolve("pr-helper0.pid");
        Daemon vm = vm("prhelper-vm", socket, asLibvirtStartsIt(pidfile, "-k", socket.toString(), "-f",
                pidfile.toString(), "-c", control.toString()), Map.of());

        // No fork: the pid libvirt started and wrote is the process holding the socket.
        assertEquals(String.valueOf(vm.pid()), Files.readString(pidfile).trim());
        assertTrue(Files.readSymbolicLink(Path.of("/proc", String.valueOf(vm.pid()), "exe")).toString()
                .endsWith("/prhelper-vm"));
        assertTrue("libvirt's pidfile descriptor stays open", openFiles(vm.pid()).contains(pidfile.toString()));
        try (FileChannel ch = FileChannel.open(pidfile, StandardOpenOption.WRITE)) {
            assertNull("the pidfile lock is held by the helper", ch.tryLock());
        }
        long rss = rssKb(vm.pid());
        assertTrue("prhelper-vm VmRSS " + rss + " kB", rss <= RSS_LIMIT_KB);

        // QEMU connects as soon as the object is created, as when libvirt starts the VM.
        Path qmpSocket = Daemon.socketPath("qmp");
        try (Daemon qemu = Daemon.start("qemu", List.of(Programs.qemuSystemX86().toString(), "-machine", "none",
                "-nodefaults", "-display", "none", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-object", "pr-manager-helper,id=pr0,path=" + socket), Map.of(), qmpSocket, null);
                QemuClientIT.Qmp qmp = new QemuClientIT.Qmp(qmpSocket)) {
            qmp.execute("qmp_capabilities");
            String reply = qmp.execute("query-pr-managers");
            assertEquals(reply, "true", QemuClientIT.connected(reply, "pr0"));
        }

        try (Daemon reference = Daemon.reference(); TestFds fds = new TestFds()) {
            List<AssertionError> differences = DifferentialIT.scriptedDifferences(fds, reference.socket(), socket);
            differences.forEach(errors::addError);
        }

        // A second VM: stopping the first must not touch it, nor the agent's own socket.
        Path other = Files.createDirectories(dir.resolve("domain-2-db")).resolve("pr-helper0.sock");
        vm("prhelper-vm-2", other, List.of(Programs.prhelperVm().toString(), "-k", other.toString(), "-c",
                control.toString()), Map.of());
        try (PrClient otherClient = PrClient.connect(other)) {
            long start = System.nanoTime();
            assertEquals("exit status after SIGTERM\n" + vm.logTail(), 0, vm.stop());
            long stopMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue("stopped after " + stopMillis + " ms", stopMillis < 5000);
            assertFalse("socket file left behind", Files.exists(socket));
            assertFalse("pidfile left behind", Files.exists(pidfile));
            try (PrClient c = PrClient.connect(socket)) {
                fail("connected to a stopped helper's socket");
            } catch (IOException expected) {
                // no socket file: connect fails
            }
            assertAnswered("the other VM's open connection", otherClient);
        }
        assertAnswered(other);
        assertAnswered(dir.resolve("agent.sock"));

        assertEquals(0, agent.stop());
        List<String> audit = Files.readAllLines(data.resolve("log/prhelper-audit.log"));
        assertTrue("audit lines of socket vm-web1",
                audit.stream().anyMatch(l -> l.contains("socket=vm-web1 ") && l.contains(" op=PRIN ")));
        assertTrue("audit lines of socket vm-db", audit.stream().anyMatch(l -> l.contains("socket=vm-db ")));
    }

    @Test
    public void handsItsSocketOverAgainWhenTheAgentIsBack() throws Exception {
        Path data = Files.createDirectories(dir.resolve("agent-data"));
        Path ownAgentData = dir.resolve("started-by-vm");
        // If the restart below takes longer than prhelper-vm's grace, it starts an agent itself: either
        // agent must then serve the socket; this one is stopped at the end.
        stopAgentStartedIn(ownAgentData);
        Daemon first = agent(data);
        Path socket = dir.resolve("vm.sock");
        Daemon vm = vm("prhelper-vm", socket, List.of(Programs.prhelperVm().toString(), "-v", "-k",
                socket.toString(), "-c", control.toString()), Map.of("PRHELPER_DATA", ownAgentData.toString()));
        assertAnswered(socket);

        assertEquals(0, first.stop());
        assertTrue("the socket file outlives the agent", Files.exists(socket));
        // QEMU reconnecting meanwhile: connect succeeds at once and waits in the backlog.
        try (PrClient waiting = PrClient.open(socket)) {
            waiting.readTimeout((int) AGENT_START.toMillis());
            agent(data);
            assertEquals("server feature flags", 0, waiting.readInt());
            waiting.writeInt(0);
            assertAnswered("a client that connected while no agent ran", waiting);
        }
        assertAnswered(socket);
        assertTrue(vm.logTail(), vm.isAlive());
    }

    @Test
    public void startsTheSharedAgentWhenNoneAnswers() throws Exception {
        Path ownAgentData = dir.resolve("started-by-vm");
        stopAgentStartedIn(ownAgentData);
        Path socket = dir.resolve("vm.sock");
        Path pidfile = dir.resolve("vm.pid");
        Daemon vm = vm("prhelper-vm", socket, asLibvirtStartsIt(pidfile, "-k", socket.toString(), "-c",
                control.toString()), Map.of("PRHELPER_DATA", ownAgentData.toString()));
        try (PrClient c = PrClient.open(socket)) {
            c.readTimeout((int) AGENT_START.toMillis());
            assertEquals("server feature flags", 0, c.readInt());
            c.writeInt(0);
            assertAnswered("through the agent prhelper-vm started", c);
        }
        long agentPid = Long.parseLong(Files.readString(ownAgentData.resolve("karaf.pid")).trim());
        long[] agent = stat(agentPid);
        long[] helper = stat(vm.pid());
        // Detached: not the helper's child, in a session of its own, holding none of the helper's
        // descriptors (the pidfile lock must go with the helper).
        assertNotEquals("parent of the agent", vm.pid(), agent[0]);
        assertNotEquals("session of the agent", helper[1], agent[1]);
        assertFalse("the agent holds the helper's pidfile", openFiles(agentPid).contains(pidfile.toString()));

        assertEquals(0, vm.stop());
        assertTrue("the agent outlives the helper", ProcessHandle.of(agentPid).isPresent());
        assertAnswered(dir.resolve("agent.sock"));
    }

    @Test
    public void refusesAHandoffFromAnotherUser() throws Exception {
        Path data = Files.createDirectories(dir.resolve("agent-data"));
        agent(data);
        // Open the way for user nobody, so that only the agent's SO_PEERCRED check stands in it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path nobodyDir = Files.createDirectories(dir.resolve("nobody"));
        Files.setPosixFilePermissions(nobodyDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = nobodyDir.resolve("vm.sock");
        LauncherIT.Run run = LauncherIT.run(Programs.setpriv(), "--reuid=65534", "--regid=65534", "--clear-groups",
                Programs.prhelperVm().toString(), "-k", socket.toString(), "-c", control.toString());
        assertEquals(run.stderr(), 1, run.status());
        assertEquals("prhelper-vm: the agent refused " + socket
                + ": only root and uid 0 may hand sockets over to this agent",
                run.stderr().lines().findFirst().orElse(""));
        assertFalse("socket file left behind", Files.exists(socket));
        String log = Files.readString(data.resolve("log/karaf.log"));
        assertTrue(log, log.contains("uid 65534 is neither root nor the agent's uid 0"));
    }

    @Test
    public void usageErrorsMatchTheReference() throws Exception {
        String[][] cases = {{"-k", "relative.sock"}, {"-x"}, {"--socket"}, {"-u", "no-such-user-here"},
            {"-g", "no-such-group-here"}};
        for (String[] args : cases) {
            LauncherIT.Run ref = LauncherIT.run(Programs.qemuPrHelper(), args);
            LauncherIT.Run ours = LauncherIT.run(Programs.prhelperVm(), args);
            assertEquals(String.join(" ", args) + ": exit status", ref.status(), ours.status());
            assertEquals(String.join(" ", args), LauncherIT.firstLine(ref.stderr()),
                    LauncherIT.firstLine(ours.stderr()));
        }
        LauncherIT.Run version = LauncherIT.run(Programs.prhelperVm(), "-V");
        assertEquals(0, version.status());
        assertEquals("prhelper-vm (prhelper) " + LauncherIT.release(), version.stdout().trim());
        LauncherIT.Run help = LauncherIT.run(Programs.prhelperVm(), "--help");
        assertTrue(help.stdout(), help.stdout().startsWith("Usage: prhelper-vm [OPTIONS]"));
    }

    /**
     * What one VM costs: VmRSS of prhelper-vm, and the time from starting it (fork and exec from this
     * JVM included) to its socket path existing (what libvirt waits for) and to the first answered
     * request, with the agent already running. Only memory is asserted: times on a shared 2-core
     * machine vary too much for a bound; they are printed for docs/deploy.md.
     */
    @Test
    public void costsLittleMemoryAndStartsFast() throws Exception {
        Daemon agent = agent(Files.createDirectories(dir.resolve("agent-data")));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path socket = dir.resolve("m" + i + ".sock");
            ProcessBuilder builder = new ProcessBuilder(Programs.prhelperVm().toString(), "-k", socket.toString(),
                    "-c", control.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("m" + i + ".log").toFile());
            long start = System.nanoTime();
            Process p = builder.start();
            try {
                while (!Files.exists(socket)) {
                    assertTrue("prhelper-vm exited: " + Files.readString(dir.resolve("m" + i + ".log")), p.isAlive());
                    assertTrue("no socket after 10 s", System.nanoTime() - start < 10_000_000_000L);
                    LockSupport.parkNanos(100_000);
                }
                long toSocket = System.nanoTime() - start;
                assertAnswered(socket);
                long toAnswer = System.nanoTime() - start;
                long rss = rssKb(p.pid());
                lines.add(String.format("prhelper-vm run %d: socket after %.1f ms, first answer after %.1f ms, "
                        + "VmRSS %d kB", i, toSocket / 1e6, toAnswer / 1e6, rss));
                assertTrue("prhelper-vm VmRSS " + rss + " kB", rss <= RSS_LIMIT_KB);
            } finally {
                p.destroy();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            }
            assertEquals("prhelper-vm's exit status; its output: " + Files.readString(dir.resolve("m" + i + ".log")),
                    0, p.exitValue());
        }
        lines.add("shared agent (JVM) VmRSS " + rssKb(agent.pid()) + " kB");
        lines.forEach(System.out::println);
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Parent pid and session id from /proc/PID/stat (fields 4 and 6, after the command in parentheses). */
    private static long[] stat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
    }

    /** What the process's descriptors point to. */
    private static Set<String> openFiles(long pid) throws IOException {
        Set<String> targets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return targets;
    }
}
