package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.prhelper.itests.paxexam.Karaf.ENOTTY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.assertReadKeys;
import static org.prhelper.itests.paxexam.Karaf.awaitSocket;
import static org.prhelper.itests.paxexam.Shell.row;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import javax.inject.Inject;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.prhelper.itests.Poll;

/**
 * Request statistics after real requests on a socket: pr:stats, pr:backends and the MBeans agree, and
 * the health MBean turns unhealthy when every recent request failed at the device. One test, since
 * the health depends on every request this Karaf has seen.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT {
    private static final String SOCKET = "metrics-it";
    private static final String SOCKET_PROPERTY = "prhelper.itest.metrics";
    private static final int REQUESTS = 7;

    @Inject
    private SessionFactory sessionFactory;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        return Karaf.withShellAndSocket(SOCKET, SOCKET_PROPERTY);
    }

    @Test
    public void statsShellAndMBeansCountTheRequestsAndHealthFollows() throws Exception {
        Path path = awaitSocket(Path.of(System.getProperty(SOCKET_PROPERTY)));
        ObjectName health = new ObjectName("org.prhelper:type=Health");
        // The default socket and ours listen, SG_IO is registered, nothing has failed yet.
        awaitHealthy(health);
        assertArrayEquals(new String[0], (String[]) server.getAttribute(health, "Reasons"));

        try (Client client = Client.connect(path)) {
            for (int i = 0; i < REQUESTS; i++) {
                assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            }
        }
        String n = Integer.toString(REQUESTS);
        // Statistics follow the reply: wait for the last one. SG_IO answers /dev/null CHECK CONDITION.
        List<List<String>> stats = shell().await("pr:stats --no-format",
                rows -> row(rows, "command", "PRIN READ_KEYS") != null
                        && row(rows, "command", "PRIN READ_KEYS").get(2).equals(n));
        for (List<String> key : List.of(List.of("socket", SOCKET), List.of("backend", "sgio"),
                List.of("command", "PRIN READ_KEYS"))) {
            List<String> r = row(stats, key.toArray(String[]::new));
            assertEquals(stats.toString(), List.of(key.get(0), key.get(1), n, "0", n, "0", "0", "0"), r.subList(0, 8));
            long p50 = Long.parseLong(r.get(8));
            long p99 = Long.parseLong(r.get(9));
            long max = Long.parseLong(r.get(10));
            assertTrue(r.toString(), 0 < max && p50 <= p99 && p99 <= max);
        }

        ObjectName socket = new ObjectName("org.prhelper:type=Socket,name=" + SOCKET);
        ObjectName sgio = new ObjectName("org.prhelper:type=Backend,name=sgio");
        for (ObjectName bean : List.of(socket, sgio)) {
            assertEquals(bean.toString(), (long) REQUESTS, server.getAttribute(bean, "Requests"));
            assertEquals(bean.toString(), (long) REQUESTS, server.getAttribute(bean, "CheckCondition"));
            assertEquals(bean.toString(), 0L, server.getAttribute(bean, "Good"));
            assertEquals(bean.toString(), 0L, server.getAttribute(bean, "Denied"));
        }
        assertEquals(Long.parseLong(row(stats, "socket", SOCKET).get(10)), server.getAttribute(socket, "LatencyMaxMicros"));

        List<String> backend = row(shell().await("pr:backends --no-format", rows -> row(rows, "sgio") != null), "sgio");
        assertEquals(List.of("sgio", "0", n, n), backend);

        // Every request of the last minute failed at the device.
        assertEquals(false, server.getAttribute(health, "Healthy"));
        assertArrayEquals(new String[] {n + " of " + n
                + " requests in the last minute ended in CHECK CONDITION other than by policy"},
                (String[]) server.getAttribute(health, "Reasons"));
    }

    private Shell shell() {
        return new Shell(sessionFactory);
    }

    /** The metrics bundle, the sockets and the backends start asynchronously. */
    private void awaitHealthy(ObjectName health) throws Exception {
        Poll.await(Karaf.WAIT, () -> server.isRegistered(health) && (Boolean) server.getAttribute(health, "Healthy"),
                () -> health + " not healthy: " + (server.isRegistered(health)
                        ? List.of((String[]) server.getAttribute(health, "Reasons")) : "not registered"));
    }
}
