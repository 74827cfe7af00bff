package org.prhelper.transport;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.prhelper.api.AgentWarnings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns while another version of this bundle runs in the same framework, as two KARs left side by side
 * in deploy/ make it: Karaf installs both, and two agents bind the same socket paths, each taking a
 * path from the other, so that stopping either can leave a path that nothing serves.
 */
// Immediate: it says so in the log when it starts, not only when the warnings are read.
@Component(service = AgentWarnings.class, immediate = true)
public final class OtherVersions implements AgentWarnings {
    private static final Logger LOG = LoggerFactory.getLogger(OtherVersions.class);

    private final BundleContext context;

    @Activate
    public OtherVersions(BundleContext context) {
        this.context = context;
        for (String w : warnings()) {
            LOG.error(w);
        }
    }

    @Override
    public List<String> warnings() {
        Bundle self = context.getBundle();
        List<String> others = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean runs = (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0;
            if (runs && b.getBundleId() != self.getBundleId() && self.getSymbolicName().equals(b.getSymbolicName())) {
                others.add(b.getVersion().toString());
            }
        }
        return others.isEmpty() ? List.of() : List.of(message(self.getVersion().toString(), others));
    }

    static String message(String own, List<String> others) {
        return "prhelper " + own + " runs beside " + String.join(", ", others)
                + " in this container (two KARs in deploy/?): each serves the same sockets; remove all but one";
    }
}
