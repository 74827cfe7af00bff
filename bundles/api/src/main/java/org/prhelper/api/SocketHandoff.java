package org.prhelper.api;

import java.io.FileDescriptor;
import java.io.IOException;

/**
 * Serves listening Unix sockets that another process bound and handed off (bin/prhelper-vm, one per
 * VM under libvirt), so that process needs no JVM of its own. Such a socket gets the default policy
 * (every peer, every device, as qemu-pr-helper) and shows in the socket directory, the audit trail
 * and the statistics under its name like a configured socket.
 */
public interface SocketHandoff {
    /**
     * Starts serving {@code listening}, a listening Unix stream socket, as {@code name}, made unique
     * among the sockets served now (a suffix -2, -3, ... when taken). Ownership of the descriptor
     * passes here in every case: it is closed when this fails and when the returned handle closes.
     *
     * @param path where clients connect, as the process that bound the socket says; shown when the
     *     kernel's own name for the socket is gone (a socket bound under a temporary name and renamed)
     * @throws IOException if the descriptor is not a listening Unix stream socket
     */
    HandoffSocket serve(String name, String path, FileDescriptor listening) throws IOException;
}
