package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.prhelper.itests.Build;
import org.prhelper.itests.Poll;

/**
 * Our KAR in a stock Karaf, as a storage appliance without a route to any Maven repository has it:
 * Apache Karaf's own distribution, unchanged but for its Maven settings (no remote repository, an
 * empty local one) and its ports. Copied into deploy/ while Karaf runs, the KAR installs and starts
 * the agent, whose socket answers as qemu-pr-helper's does; an edit of the agent's configuration
 * takes effect; the upgrade as docs/deploy.md gives it (the old KAR deleted, a newer one copied in)
 * brings the newer bundles up with the edit kept and enforced; deleting the KAR uninstalls the
 * agent, which removes its socket.
 */
public class KarIT {
    private static final Duration KARAF_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CONFIG_TIMEOUT = Duration.ofSeconds(30);
    private static final int READ_KEYS = 0x00;
    private static final int STATUS_CHECK_CONDITION = 2;
    private static final int ABORTED_COMMAND = 0x0B;
    /** ILLEGAL REQUEST, ACCESS DENIED - NO ACCESS RIGHTS: what a socket's policy answers when it refuses. */
    private static final String ACCESS_DENIED = "05/20/02";
    private static final String SERVING = "Serving pr-helper protocol on ";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aKarInDeployInstallsTheAgentOfflineANewerOneUpgradesItAndDeletingItUninstallsIt() throws Exception {
        Path home = unpackStockKaraf();
        Path kar = Paths.get(Build.property("prhelper.kar"));
        assertTrue(kar + " is missing: build the features module first", Files.isRegularFile(kar));
        String version = Build.property("prhelper.version");
        Path newer = NewerKar.write(kar, version, tmp.newFolder("newer").toPath());
        Process karaf = start(home);
        try {
            Path socket = home.resolve("data/qemu-pr-helper.sock");
            Path deployed = install(karaf, home, kar, socket, "installed");
            // SG_IO on /dev/null fails: qemu-pr-helper's answer, ABORTED COMMAND.
            Reply reply = readKeys(socket);
            assertEquals("installed: " + reply.summary(), STATUS_CHECK_CONDITION, reply.status());
            assertEquals("installed: " + reply.summary(), ABORTED_COMMAND, reply.senseKey());

            // The admin's edit, as in the package test: only SCSI disks on the default socket.
            Path cfg = home.resolve("etc/org.prhelper.socket-default.cfg");
            Files.writeString(cfg, "allow.devices.path = /dev/sd*\n", StandardOpenOption.APPEND);
            String edited = Files.readString(cfg);
            assertTrue("the edit never took effect: /dev/null is still served\n" + logTail(home),
                    Poll.until(CONFIG_TIMEOUT, () -> refuses(socket)));

            uninstall(home, deployed, socket, "the old KAR");
            Path upgraded = install(karaf, home, newer, socket, "upgraded");
            reply = readKeys(socket);
            assertEquals("upgraded: the edited policy no longer holds: " + reply.summary(), ACCESS_DENIED,
                    reply.senseCode());
            assertEquals("upgraded: " + cfg + " changed", edited, Files.readString(cfg));
            String servedBy = lastLine(home, SERVING);
            assertTrue("upgraded: the socket is served by " + servedBy, servedBy.contains(
                    " - org.prhelper.transport - " + NewerKar.newBundleVersionPrefix(version)));

            uninstall(home, upgraded, socket, "the newer KAR");
            List<String> log = Files.readAllLines(home.resolve("data/log/karaf.log"));
            List<String> errors = log.stream().filter(line -> line.contains("| ERROR |")).toList();
            if (!errors.isEmpty()) {
                // The lines after the first error carry its exception and stack.
                int at = log.indexOf(errors.get(0));
                fail("errors in karaf.log: " + errors + "\n"
                        + String.join("\n", log.subList(at, Math.min(log.size(), at + 40))));
            }
        } catch (IOException e) {
            throw new AssertionError(e + "\n" + logTail(home), e);
        } finally {
            stop(karaf);
        }
    }

    /** Copies a KAR into deploy/ and waits until the agent answers on its socket; returns the deployed file. */
    private static Path install(Process karaf, Path home, Path kar, Path socket, String step) throws Exception {
        Path deployed = home.resolve("deploy").resolve(kar.getFileName());
        Files.copy(kar, deployed);
        // The file appears at bind(2), a moment before listen(2): a connection then is refused.
        if (!Poll.until(KARAF_TIMEOUT, () -> answers(socket) || !karaf.isAlive())) {
            fail(step + ": nothing answers on " + socket + " within " + KARAF_TIMEOUT + "\n" + logTail(home));
        }
        assertTrue("Karaf exited\n" + logTail(home), karaf.isAlive());
        return deployed;
    }

    private static void uninstall(Path home, Path deployed, Path socket, String what) throws Exception {
        Files.delete(deployed);
        assertTrue(what + " deleted: the socket is still there " + KARAF_TIMEOUT + " later\n" + logTail(home),
                Poll.until(KARAF_TIMEOUT, () -> !Files.exists(socket)));
    }

    private static Reply readKeys(Path socket) throws IOException {
        try (PrClient client = PrClient.connect(socket);
                RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
            return client.request(devNull.getFD(), PrClient.prIn(READ_KEYS, 8192), new byte[0]);
        }
    }

    /** Whether the agent takes a connection and sends the protocol's greeting. */
    private static boolean answers(Path socket) {
        try (PrClient client = PrClient.connect(socket)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean refuses(Path socket) {
        try {
            return ACCESS_DENIED.equals(readKeys(socket).senseCode());
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLine(Path home, String containing) throws IOException {
        List<String> lines = Files.readAllLines(home.resolve("data/log/karaf.log"));
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains(containing)) {
                return lines.get(i);
            }
        }
        return "(no line with \"" + containing + "\" in karaf.log)";
    }

    /** apache-karaf-VERSION.tar.gz from the local Maven repository, offline and on free ports. */
    private Path unpackStockKaraf() throws IOException, InterruptedException {
        String version = System.getProperty("karaf.version");
        Path tarball = Paths.get(System.getProperty("maven.repo.local"), "org/apache/karaf/apache-karaf", version,
                "apache-karaf-" + version + ".tar.gz");
        Path dir = tmp.newFolder("karaf").toPath();
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString()).inheritIO().start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS));
        assertEquals("tar -xzf " + tarball, 0, tar.exitValue());
        Path home = dir.resolve("apache-karaf-" + version);
        Path emptyRepository = Files.createDirectories(dir.resolve("empty-m2"));
        Path settings = Files.writeString(dir.resolve("settings.xml"), "<settings/>\n");
        edit(home.resolve("etc/org.ops4j.pax.url.mvn.cfg"), List.of(
                "org.ops4j.pax.url.mvn.repositories=",
                "org.ops4j.pax.url.mvn.localRepository=" + emptyRepository,
                "org.ops4j.pax.url.mvn.settings=" + settings));
        edit(home.resolve("etc/org.apache.karaf.shell.cfg"), List.of("sshPort = " + freePort()));
        edit(home.resolve("etc/org.apache.karaf.management.cfg"),
                List.of("rmiRegistryPort = " + freePort(), "rmiServerPort = " + freePort()));
        return home;
    }

    /** Replaces each {@code key=value} of a properties file (continuation lines included) with ours. */
    private static void edit(Path file, List<String> settings) throws IOException {
        List<String> out = new ArrayList<>();
        boolean continuing = false;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            boolean replaced = continuing || settings.stream()
                    .anyMatch(s -> line.matches("\\s*" + Pattern.quote(key(s)) + "\\s*[=:].*"));
            continuing = replaced && line.endsWith("\\");
            if (!replaced) {
                out.add(line);
            }
        }
        out.addAll(settings);
        Files.write(file, out, StandardCharsets.UTF_8);
    }

    private static String key(String setting) {
        return setting.substring(0, setting.indexOf('=')).trim();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process start(Path home) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    /** bin/karaf runs the JVM as its child: SIGTERM to both, then SIGKILL to whatever is left. */
    private static void stop(Process karaf) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(karaf.descendants().toList());
        all.add(karaf.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    private static String logTail(Path home) {
        try {
            List<String> lines = Files.readAllLines(home.resolve("data/log/karaf.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no karaf.log: " + e + ")";
        }
    }
}
