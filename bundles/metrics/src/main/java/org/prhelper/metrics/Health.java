package org.prhelper.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.prhelper.api.ClientInfo;
import org.prhelper.api.SocketInfo;

/** Decides whether the agent is healthy; plain Java, so the rules are tested without OSGi or JMX. */
final class Health {
    /**
     * A request running longer than this is held by a device or path that does not answer: twice the
     * SG_IO backend's default timeout, by when the kernel has given up on the command and recovered.
     */
    static final Duration HELD = Duration.ofSeconds(60);

    private Health() {
    }

    /**
     * Why the agent is unhealthy, empty when it is healthy.
     *
     * @param sockets the sockets configured, null when the transport publishes none
     * @param backends how many backends are registered
     * @param recentRequests requests of the last minute
     * @param recentFailures of those, the ones answered CHECK CONDITION other than by the policy
     * @param now the time to measure running requests against
     */
    static List<String> reasons(List<SocketInfo> sockets, int backends, long recentRequests, long recentFailures,
            Instant now) {
        List<String> reasons = new ArrayList<>();
        if (sockets == null || sockets.stream().noneMatch(SocketInfo::listening)) {
            reasons.add("no socket is listening");
        }
        if (backends == 0) {
            reasons.add("no backend is registered");
        }
        if (recentFailures * 2 > recentRequests) {
            reasons.add(recentFailures + " of " + recentRequests
                    + " requests in the last minute ended in CHECK CONDITION other than by policy");
        }
        String held = held(sockets, now);
        if (held != null) {
            reasons.add(held);
        }
        return reasons;
    }

    /** The requests running for longer than {@link #HELD}, with the oldest one's client; null if none. */
    private static String held(List<SocketInfo> sockets, Instant now) {
        if (sockets == null) {
            return null;
        }
        int count = 0;
        ClientInfo oldest = null;
        for (SocketInfo s : sockets) {
            for (ClientInfo c : s.clients()) {
                Instant since = c.requestSince();
                if (since != null && Duration.between(since, now).compareTo(HELD) > 0) {
                    count++;
                    if (oldest == null || since.isBefore(oldest.requestSince())) {
                        oldest = c;
                    }
                }
            }
        }
        if (oldest == null) {
            return null;
        }
        long pid = oldest.peer().pid();
        String vm = oldest.peer().vmName() == null ? "" : ", VM " + oldest.peer().vmName();
        return count + (count == 1 ? " request has" : " requests have") + " been running for more than "
                + HELD.toSeconds() + " s; the oldest for " + Duration.between(oldest.requestSince(), now).toSeconds()
                + " s, from " + oldest.id() + " (pid " + (pid < 0 ? "unknown" : pid) + vm + ")";
    }
}
