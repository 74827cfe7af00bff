package org.prhelper.api;

import java.util.List;

/** The sockets the transport serves and who is connected to them, for the shell and health checks. */
public interface SocketDirectory {
    /** A snapshot of every configured socket, by name. */
    List<SocketInfo> sockets();
}
