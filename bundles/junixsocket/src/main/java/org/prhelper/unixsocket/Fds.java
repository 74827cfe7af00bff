package org.prhelper.unixsocket;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;

import org.newsclub.net.unix.DescriptorNumbers;

/** What the agent does with the descriptors junixsocket hands it, in one place with the reasons. */
public final class Fds {
    private Fds() {
    }

    /**
     * The number behind a descriptor, for ioctl calls and dup(2). Not junixsocket's public cast,
     * which probes with getsockname(2) and so refuses an O_PATH descriptor that qemu-pr-helper
     * answers (see {@link DescriptorNumbers}). An {@link IOException} if it is closed already.
     */
    public static int number(FileDescriptor descriptor) throws IOException {
        return DescriptorNumbers.of(descriptor);
    }

    /**
     * Closes the descriptor alone, through its own object, which marks it invalid: junixsocket then
     * skips it where it would close it once more (the descriptors a connection received, when that
     * connection closes), and no shutdown(2) reaches the socket, which junixsocket's close() sends
     * and which would end it for every other process holding it. An error of close(2) is ignored:
     * the descriptor is released all the same.
     */
    public static void release(FileDescriptor descriptor) {
        try {
            new FileInputStream(descriptor).close();
        } catch (IOException ignored) {
            // released all the same
        }
    }
}
