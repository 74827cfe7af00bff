package org.prhelper.multipath;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Opens a path's block device for one command. Java has no way to hand out the descriptor number of
 * a file it opens, and the dispatcher needs one, so this calls libc's open/close itself.
 */
final class PathDevices implements RegistrationFanOut.Devices {
    private static final int O_RDWR = 02;
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
        return open.invokeInt(new Object[] {"/dev/" + name, O_RDWR | O_CLOEXEC});
    }

    @Override
    public void close(int fd) {
        close.invokeInt(new Object[] {fd});
    }
}
