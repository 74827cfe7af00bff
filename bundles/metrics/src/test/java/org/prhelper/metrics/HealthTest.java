package org.prhelper.metrics;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;
import org.prhelper.api.SocketInfo;

public class HealthTest {
    private static final SocketInfo LISTENING = new SocketInfo("default", "/run/s.sock", true, 0, List.of());
    private static final SocketInfo CLOSED = new SocketInfo("vm1", null, false, 0, List.of());

    @Test
    public void healthyWithAListeningSocketABackendAndFewFailures() {
        assertEquals(List.of(), Health.reasons(List.of(CLOSED, LISTENING), 1, 0, 0));
        assertEquals(List.of(), Health.reasons(List.of(LISTENING), 2, 10, 5));
    }

    @Test
    public void noListeningSocket() {
        List<String> expected = List.of("no socket is listening");
        assertEquals(expected, Health.reasons(List.of(CLOSED), 1, 0, 0));
        assertEquals(expected, Health.reasons(List.of(), 1, 0, 0));
        assertEquals(expected, Health.reasons(null, 1, 0, 0));
    }

    @Test
    public void noBackend() {
        assertEquals(List.of("no backend is registered"), Health.reasons(List.of(LISTENING), 0, 0, 0));
    }

    @Test
    public void moreThanHalfOfTheLastMinuteFailed() {
        assertEquals(List.of("6 of 11 requests in the last minute ended in CHECK CONDITION other than by policy"),
                Health.reasons(List.of(LISTENING), 1, 11, 6));
        assertEquals(3, Health.reasons(null, 0, 1, 1).size());
    }
}
