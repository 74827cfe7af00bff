package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.prhelper.itests.Build;
import org.prhelper.itests.Poll;

/** bin/qemu-pr-helper as a process: its options, pid handling and signals, next to the reference's. */
public class LauncherIT {
    record Run(int status, String stdout, String stderr) {
    }

    static Run run(Path program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("prh-out", ".txt");
        Path err = Files.createTempFile("prh-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(command + " did not finish", p.waitFor(60, TimeUnit.SECONDS));
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    @Test
    public void usageErrorsMatchTheReference() throws Exception {
        String[][] cases = {{"-k", "relative.sock"}, {"-x"}, {"--socket"}, {"-u", "no-such-user-here"},
            {"-g", "no-such-group-here"}};
        for (String[] args : cases) {
            Run ref = run(Programs.qemuPrHelper(), args);
            Run ours = run(Programs.ourLauncher(), args);
            assertEquals(String.join(" ", args) + ": exit status", ref.status, ours.status);
            assertEquals(1, ours.status);
            // getopt names the program by argv[0]: a full path for the reference as started here.
            assertEquals(String.join(" ", args), firstLine(ref.stderr), firstLine(ours.stderr));
        }
    }

    /** The first line of stderr with the program named as upstream's is (getopt uses argv[0]). */
    static String firstLine(String stderr) {
        return stderr.lines().findFirst().orElse("").replaceFirst("^\\S*(qemu-pr-helper|prhelper-vm): ",
                "qemu-pr-helper: ");
    }

    /**
     * The socket must not wait for the features service, which parses the features repositories as it
     * starts: it starts after every bundle of ours, and so do the Maven resolver and jansi, which only
     * it uses (assembly-property-edits.xml). The launcher counts on it: by default the framework stops
     * at our bundles' level, and those three stay stopped. Fails when a Karaf upgrade changes a
     * bundle's name in startup.properties and the edit no longer applies.
     */
    @Test
    public void theFeaturesServiceAndWhatOnlyItUsesStartAfterTheAgentsBundles() throws IOException {
        Path startup = Programs.ourLauncher().getParent().getParent().resolve("etc/startup.properties");
        Properties levels = new Properties();
        try (Reader in = Files.newBufferedReader(startup)) {
            levels.load(in);
        }
        List<String> late = List.of("/org.apache.karaf.features.core/", "/pax-url-aether/", "/jansi/");
        List<String> found = new ArrayList<>();
        int lowestLate = Integer.MAX_VALUE;
        int highestOther = -1;
        int ours = -1;
        for (String bundle : levels.stringPropertyNames()) {
            int level = Integer.parseInt(levels.getProperty(bundle).trim());
            String name = late.stream().filter(bundle::contains).findFirst().orElse(null);
            if (name != null) {
                found.add(name);
                lowestLate = Math.min(lowestLate, level);
            } else {
                highestOther = Math.max(highestOther, level);
            }
            if (bundle.contains("org.prhelper/")) {
                ours = Math.max(ours, level);
            }
        }
        found.sort(null);
        assertEquals("listed once each in " + startup, late.stream().sorted().toList(), found);
        assertEquals("the level bin/qemu-pr-helper stops at by default", 30, ours);
        assertEquals("the highest level of the other bundles in " + startup, ours, highestOther);
        assertTrue("the features service and what only it uses at " + lowestLate + ", after our bundles (" + ours
                + ")", lowestLate > ours);
    }

    /**
     * The features service starts only when featuresBoot names a feature that startup.properties does
     * not start (the console's): by default the framework stops at level 30, below it (the test above).
     * With the console, its mark is the state file it writes into its bundle's data folder, on a
     * copy of the distribution (bin/ and etc/ copied, the rest linked) with {@code bundle} added.
     */
    @Test
    public void theFeaturesServiceStartsOnlyForFeaturesBootBeyondTheStartupList() throws Exception {
        Path home = Programs.ourLauncher().getParent().getParent();
        assertEquals(30, startLevel(home, false));
        Path copy = Files.createTempDirectory("prh-dist-");
        try {
            try (var entries = Files.list(home)) {
                for (Path entry : (Iterable<Path>) entries::iterator) {
                    String name = entry.getFileName().toString();
                    if (name.equals("bin") || name.equals("etc")) {
                        copyFiles(entry, Files.createDirectory(copy.resolve(name)));
                    } else if (!name.equals("data")) {
                        Files.createSymbolicLink(copy.resolve(name), entry);
                    }
                }
            }
            Path features = copy.resolve("etc/org.apache.karaf.features.cfg");
            String cfg = Files.readString(features);
            Matcher boot = Pattern.compile("(?m)^featuresBoot\\s*=.*$").matcher(cfg);
            assertTrue(features + ": " + cfg, boot.find());
            Files.writeString(features, cfg.substring(0, boot.end()) + ", bundle" + cfg.substring(boot.end()));
            assertEquals(100, startLevel(copy, true));
        } finally {
            Daemon.deleteTree(copy);
        }
    }

    /**
     * The start level the agent of distribution {@code home} runs at; with {@code featuresService}, first
     * waits for the features service's state file. (Its absence would prove nothing: the service writes
     * it a moment after the socket serves.)
     */
    private static int startLevel(Path home, boolean featuresService) throws Exception {
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("level");
        try (Daemon d = Daemon.startServing("ours-level", List.of(home.resolve("bin/qemu-pr-helper").toString(), "-k",
                socket.toString()), Map.of("PRHELPER_DATA", data.toString()), socket, data)) {
            Run props = run(Path.of(System.getProperty("java.home"), "bin", "jcmd"), String.valueOf(d.pid()),
                    "VM.system_properties");
            Matcher m = Pattern.compile("org\\.osgi\\.framework\\.startlevel\\.beginning=(\\d+)").matcher(props.stdout());
            assertTrue("jcmd VM.system_properties: " + props.stdout() + props.stderr(), m.find());
            if (featuresService) {
                assertTrue("the features service wrote its state", Poll.until(Duration.ofSeconds(60),
                        () -> featuresState(data)));
            }
            return Integer.parseInt(m.group(1));
        }
    }

    /** The regular files of {@code from} (not its folders) into {@code to}, executable bits kept. */
    private static void copyFiles(Path from, Path to) throws IOException {
        try (var files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean featuresState(Path data) {
        try (var files = Files.walk(data.resolve("cache"))) {
            return files.anyMatch(f -> f.endsWith(Path.of("data", "state.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    public void helpAndVersion() throws Exception {
        Run help = run(Programs.ourLauncher(), "--help");
        assertEquals(0, help.status);
        assertTrue(help.stdout, help.stdout.startsWith("Usage: qemu-pr-helper [OPTIONS]"));
        Run version = run(Programs.ourLauncher(), "-V");
        assertEquals(0, version.status);
        assertEquals(version.stdout, "qemu-pr-helper (prhelper) " + release(),
                version.stdout.lines().findFirst().orElse(""));
    }

    /** "VERSION (commit C)" as the build recorded them: C is the checkout's commit (12 hex digits). */
    static String release() throws IOException {
        Path file = Programs.ourLauncher().getParent().resolveSibling("lib/prhelper.release");
        String text = Files.readString(file);
        Matcher m = Pattern.compile("version=(.+)\ncommit=([0-9a-f]{12}(-dirty)?)\n").matcher(text);
        assertTrue(file + " says: " + text, m.matches());
        assertEquals(Build.property("prhelper.version"), m.group(1));
        return m.group(1) + " (commit " + m.group(2) + ")";
    }

    /**
     * The heap is sized for what the agent holds, not for the machine (the JVM's default maximum is a
     * quarter of the RAM it sees), and under a cgroup memory limit it leaves room for the JVM's other
     * areas (80 MB), so that the unit or container is not killed for a heap that grew.
     */
    @Test
    public void theHeapIsBoundedAndFitsACgroupMemoryLimit() throws Exception {
        assertEquals("maximum heap without a memory limit", 96L << 20, maxHeap(null));
        try (MemoryCgroup limited = MemoryCgroup.create("prh-launcher-" + ProcessHandle.current().pid(), 144)
                .orElse(null)) {
            assumeTrue("no writable cgroup memory controller on this host", limited != null);
            assertEquals("maximum heap under a 144 MB limit", 64L << 20, maxHeap(limited));
        }
    }

    /**
     * Class data sharing: once an agent of this distribution has exited, the next ones map an archive
     * of the classes loaded from lib/ (written by that exit, then shared through data/cds), besides
     * the JDK's own.
     */
    @Test
    public void laterStartsMapAClassArchive() throws Exception {
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("cds");
        List<String> command = List.of(Programs.ourLauncher().toString(), "-k", socket.toString());
        try (Daemon first = Daemon.startServing("ours-cds", command, Map.of("PRHELPER_DATA", data.toString()), socket, null)) {
            assertEquals(0, first.stop());
        }
        for (int i = 0; i < 2; i++) {
            Path other = i == 0 ? data : Files.createTempDirectory("prh-data-");
            try (Daemon next = Daemon.startServing("ours-cds", command, Map.of("PRHELPER_DATA", other.toString()), socket,
                    other)) {
                List<String> maps = Files.readAllLines(Path.of("/proc", String.valueOf(next.pid()), "maps"));
                assertTrue("the JDK's archive is mapped", maps.stream().anyMatch(m -> m.endsWith("/classes.jsa")));
                assertTrue("the agent's archive is mapped: " + String.join("\n", maps),
                        maps.stream().anyMatch(m -> m.matches(".*/(cds/agent|classes)-\\d+\\.jsa")));
            }
        }
    }

    /** MaxHeapSize of the JVM our launcher starts, in {@code cgroup} when it is not null. */
    private static long maxHeap(MemoryCgroup cgroup) throws Exception {
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("heap");
        List<String> command = List.of(Programs.ourLauncher().toString(), "-k", socket.toString());
        try (Daemon d = Daemon.startServing("ours-heap", cgroup == null ? command : cgroup.wrap(command),
                Map.of("PRHELPER_DATA", data.toString()), socket, data)) {
            Run flags = run(Path.of(System.getProperty("java.home"), "bin", "jcmd"), String.valueOf(d.pid()), "VM.flags");
            Matcher m = Pattern.compile("-XX:MaxHeapSize=(\\d+)").matcher(flags.stdout());
            assertTrue("jcmd VM.flags: " + flags.stdout() + flags.stderr(), m.find());
            return Long.parseLong(m.group(1));
        }
    }

    @Test
    public void execsTheJvmAndWritesItsPid() throws Exception {
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("pid");
        Path pidfile = Files.createTempFile("prh", ".pid");
        try (Daemon d = Daemon.startServing("ours-pidfile", List.of(Programs.ourLauncher().toString(), "-k",
                socket.toString(), "-f", pidfile.toString()), Map.of("PRHELPER_DATA", data.toString()), socket, data)) {
            // No fork: the pid we started is the one serving, and it is the JVM.
            assertEquals(String.valueOf(d.pid()), Files.readString(pidfile).trim());
            assertTrue(Files.readSymbolicLink(Path.of("/proc", String.valueOf(d.pid()), "exe")).toString()
                    .endsWith("/java"));
            // The socket is the only way in: no Karaf shutdown port (or any other) on TCP.
            assertEquals("TCP ports the agent listens on", List.of(), listeningTcpSockets(d.pid()));
        } finally {
            Files.deleteIfExists(pidfile);
        }
    }

    /** Inodes of the process's sockets that /proc/PID/net/tcp{,6} list as LISTEN (state 0A). */
    private static List<String> listeningTcpSockets(long pid) throws IOException {
        Path proc = Path.of("/proc", String.valueOf(pid));
        List<String> owned = new ArrayList<>();
        try (var fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        owned.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : new String[] {"net/tcp", "net/tcp6"}) {
            for (String line : Files.readAllLines(proc.resolve(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && owned.contains(f[9])) {
                    listening.add(table + " inode " + f[9]);
                }
            }
        }
        return listening;
    }

    /**
     * The socket listens before the JVM exists, so that a client connecting meanwhile waits in the
     * backlog instead of being refused (QEMU gives up after 5 attempts 1 s apart; libvirt starts the
     * new helper only after the first). Shown with a stand-in JVM that never serves: the path exists
     * and takes a connection, on descriptor 3 of the process the launcher became.
     */
    @Test
    public void theSocketListensBeforeTheJvmStarts() throws Exception {
        Path jdk = Files.createTempDirectory("prh-fake-jdk-");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec sleep 60\n");
        assertTrue(java.toFile().setExecutable(true));
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("early");
        try (Daemon d = Daemon.start("ours-early", List.of(Programs.ourLauncher().toString(), "-k", socket.toString()),
                Map.of("PRHELPER_DATA", data.toString(), "JAVA_HOME", jdk.toString()), socket, data);
                AFUNIXSocket client = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket))) {
            assertTrue("connected", client.isConnected());
            Path fd3 = Path.of("/proc", String.valueOf(d.pid()), "fd", "3");
            assertTrue("descriptor 3 is a socket: " + Files.readSymbolicLink(fd3),
                    Files.readSymbolicLink(fd3).toString().startsWith("socket:["));
            Path exe = Path.of("/proc", String.valueOf(d.pid()), "exe");
            assertTrue("the launcher went on to exec the stand-in JVM", Poll.until(Duration.ofSeconds(30),
                    () -> exeIs(exe, "/sleep")));
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(java);
            Files.deleteIfExists(java.getParent());
            Files.deleteIfExists(jdk);
        }
    }

    private static boolean exeIs(Path exe, String suffix) {
        try {
            return Files.readSymbolicLink(exe).toString().endsWith(suffix);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    public void sigintSighupAndSigtermStopGracefully() throws Exception {
        for (String signal : new String[] {"INT", "HUP", "TERM"}) {
            Path data = Files.createTempDirectory("prh-data-");
            Path socket = Daemon.socketPath("sig");
            try (Daemon d = Daemon.startServing("ours-" + signal, List.of(Programs.ourLauncher().toString(), "-k",
                    socket.toString()), Map.of("PRHELPER_DATA", data.toString()), socket, data)) {
                assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(d.pid())).start().waitFor());
                assertTrue(signal + ": still running", Poll.until(Duration.ofSeconds(15), () -> !d.isAlive()));
                assertFalse(signal + ": socket file left behind", Files.exists(socket));
            }
        }
    }

    /**
     * Started with SIGINT and SIGHUP ignored (a script's background job, nohup), qemu-pr-helper still
     * stops on them (it sets its own handlers); the JVM would keep them ignored, so the launcher gives
     * them their defaults.
     */
    @Test
    public void stopSignalsInheritedIgnoredStillStopItAsTheyStopTheReference() throws Exception {
        for (String signal : new String[] {"INT", "HUP"}) {
            Path data = Files.createTempDirectory("prh-data-");
            Path ours = Daemon.socketPath("ign");
            Path ref = Daemon.socketPath("ign-ref");
            try (Daemon o = Daemon.startServing("ours-ignored-" + signal, ignoring(Programs.ourLauncher(), ours),
                    Map.of("PRHELPER_DATA", data.toString()), ours, data);
                    Daemon r = Daemon.startServing("reference-ignored-" + signal,
                            ignoring(Programs.qemuPrHelper(), ref), Map.of(), ref, null)) {
                for (Daemon d : List.of(r, o)) {
                    assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(d.pid())).start().waitFor());
                    assertTrue(d + ": still running after SIG" + signal + " it inherited ignored",
                            Poll.until(Duration.ofSeconds(15), () -> !d.isAlive()));
                }
                assertFalse(signal + ": socket file left behind", Files.exists(ours));
            }
        }
    }

    /** The program with its -k socket, started by a shell that ignores SIGINT and SIGHUP and execs it. */
    private static List<String> ignoring(Path program, Path socket) {
        return List.of("bash", "-c", "trap '' INT HUP; exec \"$0\" \"$@\"", program.toString(), "-k", socket.toString());
    }

    @Test
    public void daemonReturnsOnceTheSocketListensAndWritesThePidfile() throws Exception {
        Path data = Files.createTempDirectory("prh-data-");
        Path socket = Daemon.socketPath("daemon");
        Path pidfile = data.resolve("agent.pid");
        // -v must reach the agent through -d's child, as every option a later pass keeps.
        ProcessBuilder launcher = new ProcessBuilder(Programs.ourLauncher().toString(), "-d", "-v", "-k",
                socket.toString(), "-f", pidfile.toString()).redirectErrorStream(true)
                .redirectOutput(data.resolve("out").toFile());
        launcher.environment().put("PRHELPER_DATA", data.toString());
        Process p = launcher.start();
        long pid = -1;
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS));
            assertEquals(Files.readString(data.resolve("out")), 0, p.exitValue());
            assertTrue("socket must listen when -d returns", Files.exists(socket));
            pid = Long.parseLong(Files.readString(pidfile).trim());
            // Bound before the JVM starts: this connection waits until the agent serves it.
            PrClient.connect(socket, 60_000).close();
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline, cmdline.contains("-Dprhelper.log.level=INFO "));
        } finally {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                long daemon = pid;
                assertTrue(Poll.until(Duration.ofSeconds(15), () -> ProcessHandle.of(daemon).isEmpty()));
            }
            Files.deleteIfExists(socket);
        }
        assertFalse(Files.exists(socket));
    }
}
