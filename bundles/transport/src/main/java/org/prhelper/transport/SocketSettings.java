package org.prhelper.transport;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * A validated {@link SocketConfig}. Each check names the configuration key and the bad value, so a
 * mistake in a .cfg file reads as one clear log line.
 */
record SocketSettings(Path path, Set<PosixFilePermission> mode, String owner, String group, int backlog,
        int maxConnections, int inheritedFd) {
    /** Linux sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    static SocketSettings of(SocketConfig config) {
        String path = config.path() == null ? "" : config.path().trim();
        if (path.isEmpty() || !path.startsWith("/")) {
            throw new IllegalArgumentException("path = '" + path + "': the socket path must be absolute");
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("path = '" + path + "': longer than " + MAX_PATH_BYTES
                    + " bytes, the limit of a Unix socket address");
        }
        if (config.backlog() < 1) {
            throw new IllegalArgumentException("backlog = " + config.backlog() + ": must be at least 1");
        }
        if (config.maxConnections() < 1) {
            throw new IllegalArgumentException("maxConnections = " + config.maxConnections() + ": must be at least 1");
        }
        if (config.inheritedFd() < -1) {
            throw new IllegalArgumentException("inheritedFd = " + config.inheritedFd()
                    + ": must be a descriptor number, or -1 for none");
        }
        return new SocketSettings(Path.of(path), parseMode(config.mode()), trim(config.owner()),
                trim(config.group()), config.backlog(), config.maxConnections(), config.inheritedFd());
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    /** Octal mode bits (rwx for user, group, other); null when not configured. */
    static Set<PosixFilePermission> parseMode(String mode) {
        String m = trim(mode);
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
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }
}
