package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
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

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.UUID;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Installs the {@code prhelper} feature into a stock Apache Karaf and talks the pr-helper protocol to
 * it the way QEMU does. The test methods run inside that Karaf; each leaves it as it found it, so
 * their order does not matter.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafFeatureIT {
    private static final String SOCKET_FACTORY_PID = "org.prhelper.socket";
    private static final String SGIO_BUNDLE = "org.prhelper.sgio";
    /** Carries the socket path chosen in the driver JVM into the Karaf JVM, where the tests run. */
    private static final String SOCKET_PROPERTY = "prhelper.itest.socket";
    private static final long SOCKET_WAIT_MILLIS = 10_000;
    /** Long enough for any answer here; a hung agent fails the test instead of blocking the build. */
    private static final int REPLY_TIMEOUT_MILLIS = 10_000;
    /** Short enough to keep the test quick, far shorter than the dispatcher's 3 s wait for a backend. */
    private static final int SILENCE_MILLIS = 500;

    private static final int STATUS_CHECK_CONDITION = 0x02;
    private static final int SENSE_LENGTH = 96;

    /** PERSISTENT RESERVE IN, READ KEYS, allocation length 0x2000 in bytes 7..8. */
    private static final byte[] READ_KEYS = cdb(0x5E, 0x00, 0, 0, 0, 0, 0, 0x20, 0x00);
    /** PERSISTENT RESERVE OUT, REGISTER, parameter list length 24 in bytes 7..8 (where QEMU reads it). */
    private static final byte[] REGISTER = cdb(0x5F, 0x00, 0, 0, 0, 0, 0, 0x00, 0x18);
    private static final byte[] REGISTER_PARAMETERS = new byte[24];

    /** SG_IO on /dev/null fails with ENOTTY: ABORTED COMMAND, I/O PROCESS TERMINATED, as qemu-pr-helper. */
    private static final byte[] ENOTTY_REPLY = checkCondition(0x0B, 0x00, 0x06);
    /** PR OUT on a read-only descriptor: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE. */
    private static final byte[] READ_ONLY_REPLY = checkCondition(0x05, 0x20, 0x00);

    @Inject
    private BundleContext bundleContext;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        String karafVersion = requiredProperty("karaf.version");
        String localRepository = requiredProperty("maven.repo.local");
        String socket = newSocketPath().toString();
        String specs = "lib/endorsed/org.apache.karaf.specs.";
        return options(
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
                features(maven("org.prhelper", "prhelper-features").version(requiredProperty("prhelper.version"))
                        .classifier("features").type("xml"), "prhelper"),
                // sun_path holds 108 bytes: the socket goes to /tmp, not under target/exam/<uuid>/data.
                editConfigurationFilePut("etc/" + SOCKET_FACTORY_PID + "-itest.cfg", "path", socket),
                systemProperty(SOCKET_PROPERTY).value(socket));
    }

    /**
     * Requests are answered byte-exactly, and a connection survives a restart of the SG_IO backend: the
     * transport and the dispatcher stay, and a request that arrives while no backend is there waits.
     */
    @Test
    public void servesRequestsAcrossBackendRestart() throws Exception {
        Bundle sgio = bundle(SGIO_BUNDLE);
        assertEquals("state of " + SGIO_BUNDLE, Bundle.ACTIVE, sgio.getState());
        Path socket = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));

        // start() in finally: a failure with the backend stopped must not spill into the other test.
        try (Client client = Client.connect(socket)) {
            assertReadKeysReply(client);
            try (FileInputStream readOnly = new FileInputStream("/dev/null")) {
                client.send(REGISTER, readOnly.getFD(), REGISTER_PARAMETERS);
                assertReply(client, READ_ONLY_REPLY);
            }

            sgio.stop();
            assertEquals("state of " + SGIO_BUNDLE + " after stop()", Bundle.RESOLVED, sgio.getState());
            Thread.sleep(300);
            sgio.start();
            assertReadKeysReply(client);

            sgio.stop();
            try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                client.send(READ_KEYS, devNull.getFD(), new byte[0]);
                // No backend: the dispatcher holds the request instead of failing it at once...
                client.assertNothingArrives();
                sgio.start();
                // ...and the restarted backend answers it.
                assertReply(client, ENOTTY_REPLY);
            }

            assertTrue("socket file " + socket + " after the restarts",
                    Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
            client.assertNothingArrives();
            assertReadKeysReply(client);
        } finally {
            sgio.start();
        }
    }

    /** A new path in the transport configuration moves the socket: served there, removed from the old path. */
    @Test
    public void movesSocketWhenPathIsReconfigured() throws Exception {
        Path original = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));
        Configuration[] found = configurationAdmin.listConfigurations(
                "(&(service.factoryPid=" + SOCKET_FACTORY_PID + ")(path=" + original + "))");
        assertNotNull("a socket configuration with path " + original, found);
        Configuration configuration = found[0];
        Path moved = newSocketPath();
        try {
            setPath(configuration, moved);
            awaitSocket(moved);
            assertFalse("old socket file " + original + " still there",
                    Files.exists(original, LinkOption.NOFOLLOW_LINKS));
            try (Client client = Client.connect(moved)) {
                assertReadKeysReply(client);
            }
        } finally {
            setPath(configuration, original);
            awaitSocket(original);
        }
        assertFalse("socket file " + moved + " left behind", Files.exists(moved, LinkOption.NOFOLLOW_LINKS));
    }

    private static void assertReadKeysReply(Client client) throws IOException {
        try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
            client.send(READ_KEYS, devNull.getFD(), new byte[0]);
            assertReply(client, ENOTTY_REPLY);
        }
    }

    /** Compared as hex text: the whole reply shows in the failure, which Pax Exam carries back intact. */
    private static void assertReply(Client client, byte[] expected) throws IOException {
        assertEquals("reply", hex(expected), hex(client.readReply(expected.length)));
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    private static void setPath(Configuration configuration, Path path) throws IOException {
        Dictionary<String, Object> properties = configuration.getProperties();
        properties.put("path", path.toString());
        configuration.update(properties);
    }

    /** The transport binds asynchronously (SCR, configuration events): wait for the file to appear. */
    private static Path awaitSocket(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + SOCKET_WAIT_MILLIS * 1_000_000;
        while (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (System.nanoTime() > deadline) {
                fail("no socket at " + path + " after " + SOCKET_WAIT_MILLIS + " ms");
            }
            Thread.sleep(50);
        }
        return path;
    }

    private static Path newSocketPath() {
        return Path.of("/tmp/prh-itest-" + UUID.randomUUID().toString().substring(0, 8) + ".sock");
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("system property " + name + " is not set (run through failsafe)");
        }
        return value;
    }

    private static byte[] cdb(int... bytes) {
        byte[] cdb = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            cdb[i] = (byte) bytes[i];
        }
        return cdb;
    }

    /** int32 status 2, int32 data size 0, 96 bytes of fixed-format sense: 70 00 KEY .. 0A .. ASC ASCQ. */
    private static byte[] checkCondition(int key, int asc, int ascq) {
        byte[] reply = new byte[8 + SENSE_LENGTH];
        reply[3] = STATUS_CHECK_CONDITION;
        reply[8] = 0x70;
        reply[8 + 2] = (byte) key;
        reply[8 + 7] = 0x0A;
        reply[8 + 12] = (byte) asc;
        reply[8 + 13] = (byte) ascq;
        return reply;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    /** A pr-helper client as QEMU's: one connection, one request at a time, the fd on the CDB's write. */
    private static final class Client implements Closeable {
        private final AFUNIXSocket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private Client(AFUNIXSocket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static Client connect(Path path) throws IOException {
            AFUNIXSocket socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
            Client client = new Client(socket);
            try {
                socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
                assertEquals("server feature flags", 0, client.in.readInt());
                client.out.write(new byte[4]);
            } catch (IOException | RuntimeException | AssertionError e) {
                socket.close();
                throw e;
            }
            return client;
        }

        void send(byte[] cdb, FileDescriptor fd, byte[] parameters) throws IOException {
            socket.setOutboundFileDescriptors(fd);
            out.write(cdb);
            if (parameters.length > 0) {
                out.write(parameters);
            }
        }

        byte[] readReply(int length) throws IOException {
            byte[] reply = new byte[length];
            in.readFully(reply);
            return reply;
        }

        /** Neither a byte nor end of stream within {@link #SILENCE_MILLIS}: open, and nothing pending. */
        void assertNothingArrives() throws IOException {
            socket.setSoTimeout(SILENCE_MILLIS);
            try {
                int b = in.read();
                fail(b < 0 ? "connection closed by the agent" : "unexpected byte " + b);
            } catch (SocketTimeoutException expected) {
                // Silence: what an idle, open connection gives.
            } finally {
                socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
