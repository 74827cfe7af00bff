package org.prhelper.api;

import java.util.List;

/**
 * Problems a component found in the agent's setup that do not stop it serving but that an admin
 * should fix, e.g. a multipath map without {@code reservation_key}. {@code pr:status} and the health
 * MBean show the warnings of every such service.
 */
public interface AgentWarnings {
    /** The warnings as they stand now, each a sentence that names what to fix; empty when there is none. */
    List<String> warnings();
}
