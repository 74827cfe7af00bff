package org.prhelper.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a descriptor another process handed off is a listening Unix stream socket before it is
 * served, so a mistake is reported at once with what the descriptor really is, not later as a failed
 * accept. Reads /proc: the kernel's socket table says type and listening state, which junixsocket
 * does not expose.
 */
final class UnixSockets {
    /** __SO_ACCEPTCON in the Flags column of /proc/net/unix: the socket listens. */
    private static final int ACCEPTING = 0x10000;
    private static final int SOCK_STREAM = 1;

    private UnixSockets() {
    }

    static void requireListeningStream(int fd) throws IOException {
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
        } catch (IOException e) {
            throw new IOException("descriptor " + fd + " is not open: " + e.getMessage(), e);
        }
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            throw new IOException("descriptor " + fd + " is not a socket but " + target);
        }
        long inode = Long.parseLong(target.substring("socket:[".length(), target.length() - 1));
        String table = Files.readString(Path.of("/proc/net/unix"), StandardCharsets.US_ASCII);
        String problem = problem(table, inode);
        if (problem != null) {
            throw new IOException("descriptor " + fd + " " + problem);
        }
    }

    /**
     * Why the socket with {@code inode} cannot be served, from the text of /proc/net/unix
     * ({@code Num RefCount Protocol Flags Type St Inode [Path]}, hexadecimal but the inode); null if it
     * is a listening stream socket.
     */
    static String problem(String procNetUnix, long inode) {
        String wanted = Long.toString(inode);
        for (String line : procNetUnix.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 7 || !f[6].equals(wanted)) {
                continue;
            }
            int flags;
            int type;
            try {
                flags = Integer.parseInt(f[3], 16);
                type = Integer.parseInt(f[4], 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if (type != SOCK_STREAM) {
                return "is a Unix socket of type " + type + ", not a stream socket";
            }
            if ((flags & ACCEPTING) == 0) {
                return "is a Unix stream socket that does not listen";
            }
            return null;
        }
        return "is not a Unix socket (socket inode " + inode + " is not in /proc/net/unix)";
    }
}
