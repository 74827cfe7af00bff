package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.UUID;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.prhelper.itests.Build;
import org.prhelper.itests.Poll;

/** What the Pax Exam tests share: a stock Karaf with our feature, and the protocol's expected replies. */
final class Karaf {
    static final String SOCKET_FACTORY_PID = "org.prhelper.socket";
    /** How long anything asynchronous (SCR, ConfigAdmin, the shell, audit records) may take to show. */
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final int STATUS_CHECK_CONDITION = 0x02;
    private static final int SENSE_LENGTH = 96;

    /** PERSISTENT RESERVE IN, READ KEYS, allocation length 0x2000 in bytes 7..8. */
    static final byte[] READ_KEYS = cdb(0x5E, 0x00, 0, 0, 0, 0, 0, 0x20, 0x00);
    /** PERSISTENT RESERVE OUT, REGISTER, parameter list length 24 in bytes 7..8 (where QEMU reads it). */
    static final byte[] REGISTER = cdb(0x5F, 0x00, 0, 0, 0, 0, 0, 0x00, 0x18);
    static final byte[] REGISTER_PARAMETERS = new byte[24];
    /** SG_IO on /dev/null fails with ENOTTY: ABORTED COMMAND, I/O PROCESS TERMINATED, as qemu-pr-helper. */
    static final byte[] ENOTTY_REPLY = checkCondition(0x0B, 0x00, 0x06);

    /** PR OUT on a read-only descriptor or a readOnly socket: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE. */
    static final byte[] READ_ONLY_REPLY = checkCondition(0x05, 0x20, 0x00);
    /** A socket policy's answer to a device it does not allow: ILLEGAL REQUEST, ACCESS DENIED - NO ACCESS RIGHTS. */
    static final byte[] DENIED_REPLY = checkCondition(0x05, 0x20, 0x02);

    private Karaf() {
    }

    /** A stock Apache Karaf with the {@code prhelper} feature installed, plus {@code extra}. */
    static Option[] withPrhelper(Option... extra) {
        String karafVersion = Build.property("karaf.version");
        String localRepository = Build.property("maven.repo.local");
        String specs = "lib/endorsed/org.apache.karaf.specs.";
        Option[] base = options(
                karafDistributionConfiguration()
                        .frameworkUrl(maven("org.apache.karaf", "apache-karaf").type("tar.gz").version(karafVersion))
                        .unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                // bin/karaf adds these on Java 9+, Pax Exam does not: without them the specs locator
                // (OsgiLocator) is missing at boot. Relative paths: Karaf runs in its home folder.
                vmOption("--add-reads=java.xml=java.logging"),
                vmOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
                vmOption("--patch-module"),
                vmOption("java.base=" + specs + "locator-" + karafVersion + ".jar"),
                vmOption("--patch-module"),
                vmOption("java.xml=" + specs + "java.xml-" + karafVersion + ".jar"),
                // No console on stdin, and no SSH server that could clash with another Karaf's port.
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                // The snapshots come from this build's local repository: searched first, as a default
                // repository, so no remote snapshot repository is asked for them.
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg",
                        "org.ops4j.pax.url.mvn.localRepository", localRepository),
                editConfigurationFileExtend("etc/org.ops4j.pax.url.mvn.cfg",
                        "org.ops4j.pax.url.mvn.defaultRepositories",
                        new File(localRepository).toURI() + "@id=build.local@snapshots"),
                features(maven("org.prhelper", "prhelper-features").version(Build.property("prhelper.version"))
                        .classifier("features").type("xml"), "prhelper"));
        return OptionUtils.combine(base, extra);
    }

    /**
     * {@link #withPrhelper} with the {@code prhelper-shell} feature and a socket {@code name} on a new path,
     * which the test reads from the system property {@code pathProperty}.
     */
    static Option[] withShellAndSocket(String name, String pathProperty) {
        String path = newSocketPath().toString();
        return withPrhelper(OptionUtils.combine(socketConfig(name, "path", path),
                systemProperty(pathProperty).value(path),
                features(maven("org.prhelper", "prhelper-features").version(Build.property("prhelper.version"))
                        .classifier("features").type("xml"), "prhelper-shell")));
    }

    /** A socket configuration file etc/org.prhelper.socket-NAME.cfg with {@code key, value} pairs. */
    static Option[] socketConfig(String name, String... keyValues) {
        Option[] options = new Option[keyValues.length / 2];
        for (int i = 0; i < options.length; i++) {
            options[i] = editConfigurationFilePut("etc/" + SOCKET_FACTORY_PID + "-" + name + ".cfg",
                    keyValues[2 * i], keyValues[2 * i + 1]);
        }
        return options;
    }


    /** sun_path holds 108 bytes: sockets go to /tmp, not under target/exam/<uuid>/data. */
    static Path newSocketPath() {
        return Path.of("/tmp/prh-itest-" + UUID.randomUUID().toString().substring(0, 8) + ".sock");
    }

    /** The transport binds asynchronously (SCR, configuration events): wait for the file to appear. */
    static Path awaitSocket(Path path) throws Exception {
        Poll.await(WAIT, () -> Files.exists(path, LinkOption.NOFOLLOW_LINKS),
                () -> "no socket at " + path + " after " + WAIT.toMillis() + " ms");
        return path;
    }

    /** Waits for a socket file to go away, as it does when its configuration is deleted or moved. */
    static void awaitNoSocket(Path path) throws Exception {
        Poll.await(WAIT, () -> !Files.exists(path, LinkOption.NOFOLLOW_LINKS),
                () -> "socket " + path + " still there after " + WAIT.toMillis() + " ms");
    }

    /** Sets one key of a configuration; ConfigAdmin hands it to the component asynchronously. */
    static void update(Configuration config, String key, String value) throws IOException {
        Dictionary<String, Object> props = config.getProperties();
        props.put(key, value);
        config.update(props);
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    static byte[] cdb(int... bytes) {
        byte[] cdb = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            cdb[i] = (byte) bytes[i];
        }
        return cdb;
    }

    /** int32 status 2, int32 data size 0, 96 bytes of fixed-format sense: 70 00 KEY .. 0A .. ASC ASCQ. */
    static byte[] checkCondition(int key, int asc, int ascq) {
        byte[] reply = new byte[8 + SENSE_LENGTH];
        reply[3] = STATUS_CHECK_CONDITION;
        reply[8] = 0x70;
        reply[8 + 2] = (byte) key;
        reply[8 + 7] = 0x0A;
        reply[8 + 12] = (byte) asc;
        reply[8 + 13] = (byte) ascq;
        return reply;
    }

    /** READ KEYS with {@code device} opened read-write, answered with {@code expected}. */
    static void assertReadKeys(Client client, String device, byte[] expected) throws IOException {
        assertRequest(client, READ_KEYS, new byte[0], device, expected);
    }

    /** {@code cdb} and {@code parameters} with {@code device} opened read-write, answered with {@code expected}. */
    static void assertRequest(Client client, byte[] cdb, byte[] parameters, String device, byte[] expected)
            throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(device, "rw")) {
            client.send(cdb, f.getFD(), parameters);
            assertReply(client, expected);
        }
    }

    /** Configuration updates reach the component asynchronously: ask until the new answer comes. */
    static void awaitReply(Client client, byte[] cdb, byte[] parameters, String device, byte[] expected)
            throws Exception {
        try {
            Poll.retry(WAIT, () -> {
                assertRequest(client, cdb, parameters, device, expected);
                return null;
            });
        } catch (AssertionError e) {
            fail("the new configuration was not applied within " + WAIT.toMillis() + " ms: " + e.getMessage());
        }
    }

    /** Compared as hex text: the whole reply shows in the failure, which Pax Exam carries back intact. */
    static void assertReply(Client client, byte[] expected) throws IOException {
        assertEquals("reply", hex(expected), hex(client.readReply(expected.length)));
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
