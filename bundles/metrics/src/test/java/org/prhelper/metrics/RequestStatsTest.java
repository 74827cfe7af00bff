package org.prhelper.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.After;
import org.junit.Test;
import org.prhelper.api.AgentWarnings;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.RequestCounts;
import org.prhelper.api.RequestCounts.Scope;
import org.prhelper.api.ScsiStatus;

public class RequestStatsTest {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final RequestStats stats = new RequestStats();

    @After
    public void tearDown() {
        stats.stop();
    }

    private static AuditRecord record(String socket, int opcode, int action, String decision, String backend,
            int status, long micros) {
        return new AuditRecord(Instant.now(), socket, PeerIdentity.UNKNOWN, DeviceIdentity.UNKNOWN, opcode, action,
                -1, -1, 0, 0, decision, backend, status, 0, 0, 0, micros * 1000);
    }

    @Test
    public void countsPerSocketBackendAndCommand() throws Exception {
        stats.start();
        stats.record(record("default", 0x5E, 0, "allow", "sgio", ScsiStatus.GOOD, 100));
        stats.record(record("default", 0x5F, 0, "allow", "sgio", ScsiStatus.RESERVATION_CONFLICT, 200));
        stats.record(record("vm,1", 0x5F, 1, "deny: allow.prout", null, ScsiStatus.CHECK_CONDITION, 3));
        stats.record(record("vm,1", 0x5E, 0, "allow", "mpath", ScsiStatus.BUSY, 5));
        stats.record(record("vm,1", 0x5E, 0, "allow", "mpath", 0x28, 6));

        assertEquals(List.of(
                new RequestCounts(Scope.SOCKET, "default", 2, 1, 0, 1, 0, 0, 0, 111, 200, 200),
                new RequestCounts(Scope.SOCKET, "vm,1", 3, 0, 1, 0, 1, 1, 1, 5, 6, 6),
                new RequestCounts(Scope.BACKEND, "mpath", 2, 0, 0, 0, 1, 1, 0, 5, 6, 6),
                new RequestCounts(Scope.BACKEND, "sgio", 2, 1, 0, 1, 0, 0, 0, 111, 200, 200),
                new RequestCounts(Scope.COMMAND, "PRIN READ_KEYS", 3, 1, 0, 0, 1, 1, 0, 6, 100, 100),
                new RequestCounts(Scope.COMMAND, "PROUT REGISTER", 1, 0, 0, 1, 0, 0, 0, 200, 200, 200),
                new RequestCounts(Scope.COMMAND, "PROUT RESERVE", 1, 0, 1, 0, 0, 0, 1, 3, 3, 3)),
                stats.snapshot());

        assertEquals(2L, server.getAttribute(RequestStats.name("Socket", "default"), "Requests"));
        assertEquals(1L, server.getAttribute(RequestStats.name("Socket", "vm,1"), "Denied"));
        assertEquals(1L, server.getAttribute(RequestStats.name("Backend", "sgio"), "ReservationConflict"));
        assertEquals(200L, server.getAttribute(RequestStats.name("Backend", "sgio"), "LatencyMaxMicros"));
        // A denial is the policy's answer, not the device's: one device CHECK CONDITION of five is fine.
        // No socket directory nor backend in this test, though.
        assertEquals(List.of("no socket is listening", "no backend is registered"),
                List.of((String[]) server.getAttribute(RequestStats.name("Health", null), "Reasons")));
        assertFalse((Boolean) server.getAttribute(RequestStats.name("Health", null), "Healthy"));
    }

    @Test
    public void deviceFailuresMakeItUnhealthy() {
        stats.record(record("default", 0x5E, 0, "allow", "sgio", ScsiStatus.CHECK_CONDITION, 1));
        assertTrue(stats.reasons().toString(), stats.reasons().contains(
                "1 of 1 requests in the last minute ended in CHECK CONDITION other than by policy"));
    }

    @Test
    public void warningsOfEveryProviderShowInTheHealthMBeanWithoutChangingHealthy() throws Exception {
        stats.start();
        ObjectName health = RequestStats.name("Health", null);
        assertEquals(List.of(), List.of((String[]) server.getAttribute(health, "Warnings")));
        List<String> reasons = stats.reasons();
        AgentWarnings maps = () -> List.of("map a has no reservation_key", "map b has no reservation_key");
        AgentWarnings none = List::of;
        AgentWarnings other = () -> List.of("another");
        stats.warnings = () -> List.of(maps, none, other);
        assertEquals(List.of("map a has no reservation_key", "map b has no reservation_key", "another"),
                List.of((String[]) server.getAttribute(health, "Warnings")));
        assertEquals(reasons, stats.reasons());
    }

    @Test
    public void deactivationUnregistersEveryMBean() throws Exception {
        ObjectName all = new ObjectName(RequestStats.DOMAIN + ":*");
        stats.start();
        stats.record(record("default", 0x5E, 0, "allow", "sgio", ScsiStatus.GOOD, 1));
        assertEquals(Set.of(RequestStats.name("Health", null), RequestStats.name("Socket", "default"),
                RequestStats.name("Backend", "sgio")), server.queryNames(all, null));
        stats.stop();
        assertEquals(Set.of(), server.queryNames(all, null));
        // A request after deactivation registers nothing.
        stats.record(record("late", 0x5E, 0, "allow", "sgio", ScsiStatus.GOOD, 1));
        assertEquals(Set.of(), server.queryNames(all, null));
    }

    @Test
    public void namesAreQuotedOnlyWhenTheyMustBe() {
        assertEquals("org.prhelper:type=Socket,name=vm-web1", RequestStats.name("Socket", "vm-web1").toString());
        assertEquals("org.prhelper:type=Socket,name=\"vm,1\"", RequestStats.name("Socket", "vm,1").toString());
    }
}
