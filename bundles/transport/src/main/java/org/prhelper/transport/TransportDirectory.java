package org.prhelper.transport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.prhelper.api.AgentWarnings;
import org.prhelper.api.SocketDirectory;
import org.prhelper.api.SocketInfo;

/**
 * Publishes every socket of this bundle, configured or handed off, as one {@link SocketDirectory}, and
 * warns of configured sockets whose policy refuses what live migration with reservations sends
 * (handed-off sockets always have the default policy).
 */
@Component(service = {SocketDirectory.class, AgentWarnings.class})
public final class TransportDirectory implements SocketDirectory, AgentWarnings {
    // Package-private for the unit test, which sets them as SCR does.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    volatile List<SocketTransport> transports;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile HandoffSockets handoff;

    @Override
    public List<SocketInfo> sockets() {
        List<SocketInfo> sockets = new ArrayList<>();
        for (SocketTransport t : transports) {
            sockets.add(t.snapshot());
        }
        HandoffSockets h = handoff;
        if (h != null) {
            sockets.addAll(h.snapshots());
        }
        sockets.sort(Comparator.comparing(SocketInfo::name));
        return sockets;
    }

    @Override
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (SocketTransport t : transports) {
            List<String> refusals = t.policy().migrationRefusals();
            if (!refusals.isEmpty()) {
                warnings.add("socket " + t.socketName() + " refuses what live migration with reservations sends "
                        + "(QEMU 11 migrate-pr): " + String.join("; ", refusals));
            }
        }
        warnings.sort(null);
        return warnings;
    }
}
