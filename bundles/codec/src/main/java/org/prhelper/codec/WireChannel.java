package org.prhelper.codec;

import java.io.IOException;

/**
 * What the protocol needs of one client connection. A blocking channel never returns 0 from either
 * call; a non-blocking one does when the socket has nothing to read or no room to write.
 */
public interface WireChannel {
    /** Reads up to {@code len} bytes; 0 if none are there now (non-blocking), -1 at end of stream. */
    int read(byte[] buf, int off, int len) throws IOException;

    /**
     * The descriptors that arrived with the bytes read since the last call, in order; an empty array
     * if none. From then on they are the caller's to close.
     */
    ReceivedFd[] takeFds() throws IOException;

    /** Writes up to {@code len} bytes and returns how many; fewer only if the channel is non-blocking. */
    int write(byte[] buf, int off, int len) throws IOException;
}
