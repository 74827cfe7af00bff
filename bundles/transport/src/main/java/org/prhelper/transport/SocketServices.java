package org.prhelper.transport;

import java.util.List;

import org.prhelper.api.AuditSink;
import org.prhelper.api.DeviceInspector;
import org.prhelper.api.PrHandler;
import org.prhelper.policy.SocketPolicy;

/**
 * What a connection uses for each request, looked up every time so a replaced dispatcher, inspector,
 * audit sink or policy takes effect on the next request without touching the connection.
 */
interface SocketServices {
    String socketName();

    /** The dispatcher; waits a few seconds for one to be registered, null if none comes. */
    PrHandler handler();

    /** Null while no device inspector is registered. */
    DeviceInspector inspector();

    /** The audit sinks registered now, each to receive every record; empty when there are none. */
    List<AuditSink> audit();

    SocketPolicy policy();

    /** The threads that serve the connections. */
    ServingLoops loops();
}
