package org.prhelper.transport;

import org.prhelper.policy.SocketPolicy;

/**
 * What a connection uses for each request, looked up every time so a replaced dispatcher, inspector,
 * audit sink or policy takes effect on the next request without touching the connection.
 */
interface SocketServices {
    String socketName();

    SocketPolicy policy();

    /** What every socket uses: the dispatcher, the inspector, the audit sinks, the serving threads. */
    RequestServices requests();
}
