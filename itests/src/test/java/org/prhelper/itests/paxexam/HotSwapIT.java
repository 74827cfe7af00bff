package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.prhelper.itests.paxexam.Karaf.DENIED_REPLY;
import static org.prhelper.itests.paxexam.Karaf.ENOTTY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.READ_ONLY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.READ_KEYS;
import static org.prhelper.itests.paxexam.Karaf.REGISTER;
import static org.prhelper.itests.paxexam.Karaf.REGISTER_PARAMETERS;
import static org.prhelper.itests.paxexam.Karaf.awaitReply;
import static org.prhelper.itests.paxexam.Karaf.awaitSocket;
import static org.prhelper.itests.paxexam.Karaf.newSocketPath;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

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
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.prhelper.itests.Build;
import org.prhelper.itests.Poll;

/**
 * Hot swap under load (issue 9): while {@value #CLIENTS} clients send READ KEYS on /dev/null in a closed
 * loop, each on its own connection, the SG_IO backend bundle is stopped and started and updated, the
 * socket's policy is changed, and the transport bundle is stopped and started and refreshed, each
 * {@value #ROUNDS} times. Backend and policy changes must cost no request and no connection. The
 * transport's own restart closes the connections (QEMU fails the command in flight with 0B/08/00, which
 * guests retry, and reconnects for the next, up to 5 times 1 s apart); there every client must be
 * served again within 5 s, and no request may hang. One line per operation with the figures goes to
 * stdout and to the file the build names in {@value #FIGURES_PROPERTY}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT {
    private static final int CLIENTS = 8;
    private static final int ROUNDS = 3;
    private static final String SOCKET_PROPERTY = "prhelper.itest.hotswap";
    private static final String FIGURES_PROPERTY = "prhelper.itest.hotswap.figures";
    /** QEMU's reconnect window: 5 attempts, 1 s apart (shared/spec/pr-helper-protocol.md). */
    private static final long RECONNECT_WINDOW_MILLIS = 5_000;
    /** How long an operation may take to settle before the test gives up on it. */
    private static final long SETTLE_MILLIS = 15_000;
    /** Requests with no backend wait for one (backendWaitMillis): the stop must be long enough to show it. */
    private static final long STOPPED_MILLIS = 200;
    private static final byte[] NO_PARAMETERS = new byte[0];

    @Inject
    private BundleContext bundleContext;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        String socket = newSocketPath().toString();
        String figures = new File("target/hotswap-figures.txt").getAbsolutePath();
        return Karaf.withPrhelper(OptionUtils.combine(Karaf.socketConfig("hotswap", "path", socket),
                systemProperty(SOCKET_PROPERTY).value(socket), systemProperty(FIGURES_PROPERTY).value(figures)));
    }

    /** What is done to the agent under load, once per round. */
    private interface Operation {
        void run(int round) throws Exception;
    }

    /**
     * One test, so that Karaf starts once and the operations run back to back on the same connections;
     * the transport's come last, since they end them.
     */
    @Test
    public void swapsUnderLoad() throws Exception {
        Path socket = awaitSocket(Path.of(Build.property(SOCKET_PROPERTY)));
        Bundle sgio = Karaf.bundle(bundleContext, "org.prhelper.sgio");
        Bundle transport = Karaf.bundle(bundleContext, "org.prhelper.transport");
        Configuration config = socketConfiguration(socket);
        List<String> figures = new ArrayList<>();
        try (Traffic traffic = new Traffic(socket, CLIENTS)) {
            long warm = System.nanoTime();
            awaitSettled(traffic, "warm-up", () -> traffic.allAnsweredSince(warm));

            figures.add(keepsConnections(traffic, "sgio-stop-start", round -> {
                sgio.stop();
                Thread.sleep(STOPPED_MILLIS);
                sgio.start();
            }));
            figures.add(keepsConnections(traffic, "sgio-update", round -> {
                sgio.update();
                assertEquals("state after update()", Bundle.ACTIVE, sgio.getState());
            }));
            try (Client probe = Client.connect(socket)) {
                // Each change is checked to be in force, or a policy that never arrived would pass too.
                figures.add(keepsConnections(traffic, "policy-devices", round -> {
                    // Round 0 narrows: the socket starts with every device allowed.
                    boolean widen = round % 2 == 1;
                    applied(config, "allow.devices.numbers", widen ? "1:3, 1:5" : "1:3", () -> awaitReply(probe,
                            READ_KEYS, NO_PARAMETERS, "/dev/zero", widen ? ENOTTY_REPLY : DENIED_REPLY));
                }));
                figures.add(keepsConnections(traffic, "policy-readonly", round -> {
                    boolean readOnly = round % 2 == 0;
                    applied(config, "readOnly", Boolean.toString(readOnly), () -> awaitReply(probe, REGISTER,
                            REGISTER_PARAMETERS, "/dev/null", readOnly ? READ_ONLY_REPLY : ENOTTY_REPLY));
                }));
            }
            // A device policy in force: a socket that serves before its device inspector is bound refuses
            // /dev/null (it did, until SocketTransport opened its socket in the activate method).
            Karaf.update(config, "allow.devices.numbers", "1:3");
            FrameworkWiring wiring = bundleContext.getBundle(0).adapt(FrameworkWiring.class);
            figures.add(reconnects(traffic, "transport-stop-start", round -> {
                transport.stop();
                transport.start();
            }));
            figures.add(reconnects(traffic, "transport-refresh", round -> refresh(wiring, transport)));
            assertEquals("client failures", null, traffic.firstFailure());
        } finally {
            sgio.start();
            transport.start();
            report(figures);
        }
    }

    /** A check that the agent answers as a configuration change says. */
    private interface Check {
        void run() throws Exception;
    }

    /**
     * Sets {@code key} and waits for the agent to answer accordingly. The socket's configuration is
     * file-backed (etc/, as in a deployment), and FileInstall writes each update back to the file and
     * may, when updates come close together, load the file's older content over the newer one (a race
     * of FileInstall's, see KARAF-7389): if the change did not show and ConfigAdmin no longer holds
     * it, it is made once more. A change that ConfigAdmin holds and the agent does not apply fails.
     */
    private static void applied(Configuration config, String key, String value, Check check) throws Exception {
        Karaf.update(config, key, value);
        try {
            check.run();
        } catch (AssertionError e) {
            Object held = config.getProperties().get(key);
            if (value.equals(held == null ? null : held.toString())) {
                throw e;
            }
            System.out.println("hotswap: " + key + " = " + value + " was replaced by " + held
                    + " in ConfigAdmin before it showed; setting it again");
            Karaf.update(config, key, value);
            check.run();
        }
    }

    /** Backend and policy changes: no request may fail, no connection drop, every client goes on. */
    private String keepsConnections(Traffic traffic, String name, Operation operation) throws Exception {
        Traffic.Counts before = traffic.counts();
        long longest = 0;
        for (int round = 0; round < ROUNDS; round++) {
            traffic.resetLongestWait();
            operation.run(round);
            long done = System.nanoTime();
            awaitSettled(traffic, name, () -> traffic.allAnsweredSince(done));
            longest = Math.max(longest, traffic.counts().longestWaitNanos());
        }
        Traffic.Counts during = traffic.counts().minus(before);
        String line = line(name, during, longest, List.of());
        assertTrue(line + ": " + traffic.firstFailure(),
                during.failed() == 0 && during.dropped() == 0 && during.hung() == 0);
        return line;
    }

    /**
     * Transport restarts: connections close, and every client must be served on a new connection within
     * QEMU's reconnect window, counted from the start of the operation; none may hang or get a wrong reply.
     */
    private String reconnects(Traffic traffic, String name, Operation operation) throws Exception {
        Traffic.Counts before = traffic.counts();
        long longest = 0;
        List<Long> serveAgain = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            traffic.resetLongestWait();
            long start = System.nanoTime();
            operation.run(round);
            awaitSettled(traffic, name, () -> traffic.allServedOnNewConnectionsAt(start) != -1);
            serveAgain.add((traffic.allServedOnNewConnectionsAt(start) - start) / 1_000_000);
            longest = Math.max(longest, traffic.counts().longestWaitNanos());
        }
        Traffic.Counts during = traffic.counts().minus(before);
        String line = line(name, during, longest, serveAgain);
        assertTrue(line + ": " + traffic.firstFailure(), during.failed() == 0 && during.hung() == 0
                && serveAgain.stream().allMatch(ms -> ms < RECONNECT_WINDOW_MILLIS));
        return line;
    }

    /** refreshBundles is asynchronous: returns once the framework reports the refresh done. */
    private static void refresh(FrameworkWiring wiring, Bundle bundle) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        assertTrue("refresh of " + bundle.getSymbolicName() + " not done", done.await(SETTLE_MILLIS, TimeUnit.MILLISECONDS));
    }

    private static void awaitSettled(Traffic traffic, String name, BooleanSupplier settled)
            throws Exception {
        Poll.await(Duration.ofMillis(SETTLE_MILLIS), settled::getAsBoolean,
                () -> name + ": not every client served again within " + SETTLE_MILLIS + " ms; "
                        + traffic.counts() + "; " + traffic.firstFailure());
    }

    /** key=value pairs, one operation a line, for reliability.md and whoever collects the figures. */
    private static String line(String name, Traffic.Counts during, long longestNanos, List<Long> serveAgain) {
        return "hotswap op=" + name + " rounds=" + ROUNDS + " clients=" + CLIENTS
                + " requests=" + during.answered() + " max_wait_ms=" + longestNanos / 1_000_000
                + " dropped=" + during.dropped() + " failed=" + during.failed() + " hung=" + during.hung()
                + " serve_again_ms=" + (serveAgain.isEmpty() ? "-"
                        : serveAgain.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }

    private static void report(List<String> figures) throws IOException {
        String text = figures.stream().map(l -> l + "\n").collect(Collectors.joining());
        System.out.print(text);
        Files.writeString(Path.of(Build.property(FIGURES_PROPERTY)), text, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private Configuration socketConfiguration(Path socket) throws Exception {
        Configuration[] found = configurationAdmin.listConfigurations(
                "(&(service.factoryPid=" + Karaf.SOCKET_FACTORY_PID + ")(path=" + socket + "))");
        assertNotNull("the socket configuration of " + socket, found);
        return found[0];
    }
}
