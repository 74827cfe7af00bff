package org.prhelper.unixsocket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The file of a Unix socket the agent binds (a served socket, the handoff control socket): the mode
 * and owner the configuration gives it, whether something still answers on it, and its identity, so
 * that stopping removes it only while it is still ours.
 */
public final class SocketFile {
    /** Permission bits from 0001 (others' execute) up, in the order of an octal mode's bits. */
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    private SocketFile() {
    }

    /**
     * The permissions of an octal mode such as {@code 0600} or {@code 660}; null for an empty value,
     * which leaves them to the umask. Errors name the configuration key {@code mode}.
     */
    public static Set<PosixFilePermission> mode(String value) {
        String m = value == null ? "" : value.trim();
        if (m.isEmpty()) {
            return null;
        }
        int bits;
        try {
            bits = Integer.parseInt(m, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mode = '" + m + "': not an octal number such as 0600");
        }
        if (bits < 0 || bits > 0777) {
            throw new IllegalArgumentException("mode = '" + m + "': only permission bits 0000..0777 are allowed");
        }
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((bits & (1 << i)) != 0) {
                set.add(BITS[i]);
            }
        }
        return set;
    }

    /** Gives the file the mode (unless null), then the owner and the group (each unless empty). */
    public static void apply(Path file, Set<PosixFilePermission> mode, String owner, String group)
            throws IOException {
        if (mode != null) {
            Files.setPosixFilePermissions(file, mode);
        }
        String o = owner == null ? "" : owner.trim();
        String g = group == null ? "" : group.trim();
        if (o.isEmpty() && g.isEmpty()) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        UserPrincipalLookupService users = file.getFileSystem().getUserPrincipalLookupService();
        try {
            if (!o.isEmpty()) {
                view.setOwner(users.lookupPrincipalByName(o));
            }
            if (!g.isEmpty()) {
                view.setGroup(users.lookupPrincipalByGroupName(g));
            }
        } catch (IOException e) {
            throw new IOException("owner = '" + o + "', group = '" + g + "': cannot apply to " + file + ": " + e, e);
        }
    }

    /** Whether something accepts connections on the socket: a live one, not a file left by a killed agent. */
    public static boolean answers(Path socket) {
        try (AFUNIXSocket probe = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The file's identity now: its inode and modification time. The inode alone is reused at once on
     * ext4 when a file is deleted and another created; a socket's mtime, unlike its ctime, survives the
     * chown and relabelling libvirt applies.
     */
    public static Identity identity(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:ino,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        return new Identity(a.get("ino"), a.get("lastModifiedTime"));
    }

    /** A socket file as it was when taken: see {@link SocketFile#identity}. */
    public record Identity(Object inode, Object modified) {
        /**
         * Deletes the file at {@code path} if it is still this one; false when it is gone, or is another
         * agent's that took the path over since.
         */
        public boolean deleteIfStill(Path path) throws IOException {
            try {
                if (equals(identity(path))) {
                    Files.delete(path);
                    return true;
                }
                return false;
            } catch (NoSuchFileException e) {
                return false;
            }
        }
    }
}
