package org.prhelper.api;

/** A socket served through {@link SocketHandoff}; closing it stops serving it. */
public interface HandoffSocket extends AutoCloseable {
    /** The name it is served under (the requested one, or that with a suffix when it was taken). */
    String name();

    /** Where clients connect: the kernel's name for the socket while that file exists, else the given path. */
    String path();

    /**
     * Stops accepting, closes our descriptor of the listening socket (the process that handed it over
     * keeps its own, so queued clients stay queued), lets requests in progress finish for a moment and
     * then closes this socket's connections; other sockets are not touched. Idempotent.
     */
    @Override
    void close();
}
