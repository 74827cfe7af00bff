package org.prhelper.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import sun.misc.Signal;

/**
 * Starts Karaf as a qemu-pr-helper does its work: SIGINT and SIGHUP end it as gracefully as SIGTERM.
 * Karaf stops its framework (and so closes our sockets) only on SIGTERM; the JVM's own handling of
 * SIGINT and SIGHUP would exit without stopping it.
 */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) throws Exception {
        for (String name : new String[] {"INT", "HUP"}) {
            Signal.handle(new Signal(name), signal -> Signal.raise(new Signal("TERM")));
        }
        removeAtExit(System.getenv("PRHELPER_BOUND_SOCKET"), System.getenv("PRHELPER_BOUND_SOCKET_ID"));
        org.apache.karaf.main.Main.main(args);
    }

    /**
     * The launcher bound the socket file and handed this process its descriptor; the listener serves
     * that descriptor and leaves the file alone (it may open it again while the process lives), so the
     * file goes when the process does. Only if it is still the file the launcher bound ("DEV:INODE"):
     * a helper started for the same path meanwhile has replaced it with its own. The inode number
     * alone is enough here: descriptor 3 keeps our socket, and with it the inode of its file, until
     * the process has exited, so no file created since can have been given the same number.
     */
    private static void removeAtExit(String path, String boundId) {
        if (path == null || path.isEmpty() || boundId == null) {
            return;
        }
        Path file = Path.of(path);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Object dev = Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS);
                Object ino = Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                if ((dev + ":" + ino).equals(boundId)) {
                    Files.delete(file);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // Gone already, or not ours to remove (a dropped user in a root-owned folder).
            }
        }, "prhelper-socket-removal"));
    }
}
