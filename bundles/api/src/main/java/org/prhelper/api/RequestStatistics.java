package org.prhelper.api;

import java.util.List;

/** Request counters kept since the agent started, for the shell and monitoring. */
public interface RequestStatistics {
    /** Counters per socket, then per backend, then per command; within a scope by name. */
    List<RequestCounts> snapshot();
}
