package org.newsclub.net.unix;

import java.io.FileDescriptor;
import java.io.IOException;

/**
 * The number behind a received descriptor, for the backends' ioctl calls.
 *
 * <p>junixsocket's public route, {@code FileDescriptorCast.using(fd).as(Integer.class)}, first asks the
 * kernel what kind of file it is with getsockname(2). A descriptor opened with O_PATH refuses that with
 * EBADF, so the cast throws and the request could not be answered, while qemu-pr-helper answers it
 * (its ioctl fails cleanly). This class lives in junixsocket's package, inside the bundle that wraps
 * junixsocket, only to reach the plain number without that probe; it also saves a syscall per request.
 */
public final class DescriptorNumbers {
    private DescriptorNumbers() {
    }

    /** The descriptor's number; an {@link IOException} if it is not valid (already closed). */
    public static int of(FileDescriptor descriptor) throws IOException {
        if (!descriptor.valid()) {
            throw new IOException("not a valid file descriptor");
        }
        return NativeUnixSocket.getFD(descriptor);
    }
}
