package org.prhelper.codec;

import java.io.IOException;

/** What the protocol needs of one client connection. */
public interface WireChannel {
    /** Reads up to {@code len} bytes, blocking until at least one is there; -1 at end of stream. */
    int read(byte[] buf, int off, int len) throws IOException;

    /**
     * The descriptors that arrived with the bytes read since the last call, in order; an empty array
     * if none. From then on they are the caller's to close.
     */
    ReceivedFd[] takeFds() throws IOException;

    void write(byte[] buf, int off, int len) throws IOException;
}
