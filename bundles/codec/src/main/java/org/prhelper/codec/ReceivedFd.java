package org.prhelper.codec;

import java.io.Closeable;

import org.prhelper.api.PrDevice;

/** A file descriptor that arrived as SCM_RIGHTS data; {@link #close()} closes it in this process. */
public interface ReceivedFd extends PrDevice, Closeable {
    @Override
    void close();
}
