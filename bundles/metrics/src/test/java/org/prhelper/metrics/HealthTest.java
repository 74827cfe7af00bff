package org.prhelper.metrics;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.Test;
import org.prhelper.api.ClientInfo;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.SocketInfo;

public class HealthTest {
    private static final SocketInfo LISTENING = new SocketInfo("default", "/run/s.sock", true, 0, List.of());
    private static final Instant NOW = Instant.parse("2026-11-22T18:00:00Z");
    private static final SocketInfo CLOSED = new SocketInfo("vm1", null, false, 0, List.of());

    @Test
    public void healthyWithAListeningSocketABackendAndFewFailures() {
        assertEquals(List.of(), Health.reasons(List.of(CLOSED, LISTENING), 1, 0, 0, NOW));
        assertEquals(List.of(), Health.reasons(List.of(LISTENING), 2, 10, 5, NOW));
    }

    @Test
    public void noListeningSocket() {
        List<String> expected = List.of("no socket is listening");
        assertEquals(expected, Health.reasons(List.of(CLOSED), 1, 0, 0, NOW));
        assertEquals(expected, Health.reasons(List.of(), 1, 0, 0, NOW));
        assertEquals(expected, Health.reasons(null, 1, 0, 0, NOW));
    }

    @Test
    public void noBackend() {
        assertEquals(List.of("no backend is registered"), Health.reasons(List.of(LISTENING), 0, 0, 0, NOW));
    }

    @Test
    public void moreThanHalfOfTheLastMinuteFailed() {
        assertEquals(List.of("6 of 11 requests in the last minute ended in CHECK CONDITION other than by policy"),
                Health.reasons(List.of(LISTENING), 1, 11, 6, NOW));
        assertEquals(3, Health.reasons(null, 0, 1, 1, NOW).size());
    }

    private static ClientInfo client(String id, long pid, String vm, Instant requestSince) {
        return new ClientInfo(id, new PeerIdentity(pid, 64055, 64055, vm), NOW.minusSeconds(3600), 10,
                "PROUT REGISTER", requestSince);
    }

    @Test
    public void aRequestRunningForMoreThanAMinuteShowsADeviceThatDoesNotAnswer() {
        SocketInfo quick = new SocketInfo("default", "/run/s.sock", true, 10, List.of(
                client("default#1", 100, null, null), client("default#2", 101, null, NOW.minusSeconds(60))));
        assertEquals("a request at 60 s is not held yet", List.of(), Health.reasons(List.of(quick), 1, 0, 0, NOW));

        SocketInfo held = new SocketInfo("vm1", "/run/vm1.sock", true, 10, List.of(
                client("vm1#1", 4711, "web1", NOW.minusSeconds(95)), client("vm1#2", -1, null, NOW.minusSeconds(61))));
        assertEquals(List.of("2 requests have been running for more than 60 s; the oldest for 95 s, from vm1#1"
                + " (pid 4711, VM web1)"), Health.reasons(List.of(quick, held), 1, 0, 0, NOW));
        SocketInfo one = new SocketInfo("vm2", "/run/vm2.sock", true, 10, List.of(
                client("vm2#1", -1, null, NOW.minusSeconds(61))));
        assertEquals(List.of("1 request has been running for more than 60 s; the oldest for 61 s, from vm2#1"
                + " (pid unknown)"), Health.reasons(List.of(one), 1, 0, 0, NOW));
    }
}
