package org.prhelper.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.prhelper.api.PeerIdentity;

/** Who connected: SO_PEERCRED, and the VM name when the peer process is QEMU. */
final class Peers {
    /** QEMU command lines are long (libvirt's run to several KiB); -name comes early. */
    private static final int CMDLINE_LIMIT = 64 * 1024;

    private Peers() {
    }

    static PeerIdentity of(AFUNIXSocket socket) {
        AFUNIXSocketCredentials c;
        try {
            c = socket.getPeerCredentials();
        } catch (IOException e) {
            return PeerIdentity.UNKNOWN;
        }
        if (c == null) {
            return PeerIdentity.UNKNOWN;
        }
        long pid = c.getPid();
        return new PeerIdentity(pid, c.getUid(), c.getGid(), pid > 0 ? vmName(pid) : null);
    }

    private static String vmName(long pid) {
        try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "cmdline"))) {
            byte[] buf = in.readNBytes(CMDLINE_LIMIT);
            return QemuCommandLine.vmName(QemuCommandLine.arguments(buf, buf.length));
        } catch (IOException e) {
            return null;
        }
    }
}
