package org.prhelper.transport;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.prhelper.unixsocket.SocketFile;

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
        return new SocketSettings(Path.of(path), SocketFile.mode(config.mode()), trim(config.owner()),
                trim(config.group()), config.backlog(), config.maxConnections(), config.inheritedFd());
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

}
