package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.prhelper.itests.paxexam.Karaf.ENOTTY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.READ_ONLY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.READ_KEYS;
import static org.prhelper.itests.paxexam.Karaf.REGISTER;
import static org.prhelper.itests.paxexam.Karaf.REGISTER_PARAMETERS;
import static org.prhelper.itests.paxexam.Karaf.SOCKET_FACTORY_PID;
import static org.prhelper.itests.paxexam.Karaf.assertReadKeys;
import static org.prhelper.itests.paxexam.Karaf.assertReply;
import static org.prhelper.itests.paxexam.Karaf.awaitSocket;
import static org.prhelper.itests.paxexam.Karaf.newSocketPath;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.prhelper.itests.Poll;

/**
 * Installs the {@code prhelper} feature into a stock Apache Karaf and talks the pr-helper protocol to
 * it the way QEMU does. The test methods run inside that Karaf; each leaves it as it found it, so
 * their order does not matter.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafFeatureIT {
    private static final String SGIO_BUNDLE = "org.prhelper.sgio";
    private static final String MULTIPATH_BUNDLE = "org.prhelper.multipath";
    private static final String DISPATCH_BUNDLE = "org.prhelper.dispatch";
    /** Carries the socket path chosen in the driver JVM into the Karaf JVM, where the tests run. */
    private static final String SOCKET_PROPERTY = "prhelper.itest.socket";


    @Inject
    private BundleContext bundleContext;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        String socket = newSocketPath().toString();
        return Karaf.withPrhelper(OptionUtils.combine(Karaf.socketConfig("itest", "path", socket),
                systemProperty(SOCKET_PROPERTY).value(socket)));
    }

    /**
     * Requests are answered byte-exactly, and a connection survives a restart of the SG_IO backend: the
     * transport and the dispatcher stay, and a request that arrives while no backend is there waits.
     */
    @Test
    public void servesRequestsAcrossBackendRestart() throws Exception {
        Bundle sgio = Karaf.bundle(bundleContext, SGIO_BUNDLE);
        assertEquals("state of " + SGIO_BUNDLE, Bundle.ACTIVE, sgio.getState());
        Path socket = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));

        // start() in finally: a failure with the backend stopped must not spill into the other test.
        try (Client client = Client.connect(socket)) {
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            try (FileInputStream readOnly = new FileInputStream("/dev/null")) {
                client.send(REGISTER, readOnly.getFD(), REGISTER_PARAMETERS);
                assertReply(client, READ_ONLY_REPLY);
            }

            sgio.stop();
            assertEquals("state of " + SGIO_BUNDLE + " after stop()", Bundle.RESOLVED, sgio.getState());
            Thread.sleep(300);
            sgio.start();
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);

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
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
        } finally {
            sgio.start();
        }
    }

    /**
     * The dispatcher's bundle restarted: a request that arrives while there is none waits for the new one
     * (up to RequestServices' 5 s) instead of failing, on the same connection.
     */
    @Test
    public void aRequestWaitsForARestartingDispatcher() throws Exception {
        Bundle dispatch = Karaf.bundle(bundleContext, DISPATCH_BUNDLE);
        Path socket = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));
        try (Client client = Client.connect(socket)) {
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            dispatch.stop();
            assertEquals("state of " + DISPATCH_BUNDLE + " after stop()", Bundle.RESOLVED, dispatch.getState());
            try (RandomAccessFile devNull = new RandomAccessFile("/dev/null", "rw")) {
                client.send(READ_KEYS, devNull.getFD(), new byte[0]);
                client.assertNothingArrives();
                dispatch.start();
                assertReply(client, ENOTTY_REPLY);
            }
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
        } finally {
            dispatch.start();
        }
    }

    /**
     * Backend bundles stopped and started while four clients send requests in a closed loop: every
     * request is answered exactly (the SG_IO answer for /dev/null), no connection drops. The multipath
     * bundle takes no /dev/null request, so its swaps must be invisible; while SG_IO is stopped the
     * dispatcher holds requests until it is back.
     */
    @Test
    public void backendBundleSwapsUnderTrafficLoseNothing() throws Exception {
        Path socket = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));
        Bundle sgio = Karaf.bundle(bundleContext, SGIO_BUNDLE);
        Bundle multipath = Karaf.bundle(bundleContext, MULTIPATH_BUNDLE);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(CompletableFuture.runAsync(() -> {
                try (Client client = Client.connect(socket)) {
                    while (!stop.get()) {
                        assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
                        answered.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        try {
            for (int round = 0; round < 3; round++) {
                for (Bundle bundle : List.of(multipath, sgio)) {
                    int before = answered.get();
                    bundle.stop();
                    Thread.sleep(200);
                    bundle.start();
                    assertEquals("state of " + bundle.getSymbolicName(), Bundle.ACTIVE, bundle.getState());
                    Poll.await(Karaf.WAIT, () -> answered.get() >= before + 50,
                            () -> "requests answered after restarting " + bundle.getSymbolicName());
                }
            }
        } finally {
            stop.set(true);
            sgio.start();
            multipath.start();
        }
        for (CompletableFuture<Void> client : clients) {
            client.get(30, TimeUnit.SECONDS); // rethrows a wrong reply or a dropped connection
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
                assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            }
        } finally {
            setPath(configuration, original);
            awaitSocket(original);
        }
        assertFalse("socket file " + moved + " left behind", Files.exists(moved, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * The device-command bounds (etc/org.prhelper.serving.cfg) change live: the serving component takes
     * the new values (its service properties show them) without being restarted, so a client's
     * connection is not touched.
     */
    @Test
    public void servingLimitsChangeWithoutTouchingAConnection() throws Exception {
        Path socket = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));
        Configuration serving = configurationAdmin.getConfiguration("org.prhelper.serving", "?");
        Dictionary<String, Object> before = serving.getProperties();
        try (Client client = Client.connect(socket)) {
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            java.util.Hashtable<String, Object> changed = new java.util.Hashtable<>();
            changed.put("maxDeviceCommands", "3");
            changed.put("maxDeviceCommandsPerDevice", "1");
            serving.update(changed);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Object shown = null;
            while (System.nanoTime() < until) {
                org.osgi.framework.ServiceReference<?>[] refs = bundleContext.getServiceReferences(
                        "org.prhelper.transport.ServingLoops", null);
                shown = refs == null ? null : refs[0].getProperty("maxDeviceCommandsPerDevice");
                if (shown != null && "1".equals(shown.toString())) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals("the serving component's maxDeviceCommandsPerDevice", "1", String.valueOf(shown));
            for (int i = 0; i < 20; i++) {
                assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            }
        } finally {
            if (before == null) {
                serving.delete();
            } else {
                serving.update(before);
            }
        }
    }

    private static void setPath(Configuration configuration, Path path) throws IOException {
        Dictionary<String, Object> properties = configuration.getProperties();
        properties.put("path", path.toString());
        configuration.update(properties);
    }
}
