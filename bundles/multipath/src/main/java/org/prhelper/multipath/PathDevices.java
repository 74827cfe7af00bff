package org.prhelper.multipath;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Opens a path's block device for one command. Java has no way to hand out the descriptor number of
 * a file it opens, and the dispatcher needs one, so this calls libc's open/close itself.
 */
final class PathDevices implements RegistrationFanOut.Devices {
    /**
     * Read-only, as libmpathpersist opens paths: SG_IO needs CAP_SYS_RAWIO for PR commands either way,
     * and closing a block device opened for writing makes udev probe it again (its inotify watch), and
     * multipathd then handle the change event: on every command, for every path.
     */
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;

    private final Function open;
    private final Function close;

    PathDevices() {
        NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
        open = libc.getFunction("open");
        close = libc.getFunction("close");
    }

    @Override
    public int open(String name) {
        return open.invokeInt(new Object[] {"/dev/" + name, O_RDONLY | O_CLOEXEC});
    }

    @Override
    public void close(int fd) {
        close.invokeInt(new Object[] {fd});
    }
}
