package org.prhelper.metrics;

import java.util.ArrayList;
import java.util.List;

import org.prhelper.api.SocketInfo;

/** Decides whether the agent is healthy; plain Java, so the rules are tested without OSGi or JMX. */
final class Health {
    private Health() {
    }

    /**
     * Why the agent is unhealthy, empty when it is healthy.
     *
     * @param sockets the sockets configured, null when the transport publishes none
     * @param backends how many backends are registered
     * @param recentRequests requests of the last minute
     * @param recentFailures of those, the ones answered CHECK CONDITION other than by the policy
     */
    static List<String> reasons(List<SocketInfo> sockets, int backends, long recentRequests, long recentFailures) {
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
        return reasons;
    }
}
