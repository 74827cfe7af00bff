package org.prhelper.dispatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a descriptor of this process was opened read-only, from {@code /proc/self/fdinfo/N}: the same
 * answer as {@code fcntl(F_GETFL) & O_ACCMODE} without a native call, so it works for every backend.
 */
final class FdAccessMode {
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;

    private FdAccessMode() {
    }

    static boolean isReadOnly(int fd) throws IOException {
        String info = new String(Files.readAllBytes(Path.of("/proc/self/fdinfo/" + fd)), StandardCharsets.US_ASCII);
        return (parseFlags(info) & O_ACCMODE) == O_RDONLY;
    }

    /** The octal {@code flags:} field of an fdinfo text. */
    static int parseFlags(String fdinfo) throws IOException {
        for (String line : fdinfo.split("\n")) {
            if (line.startsWith("flags:")) {
                try {
                    return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                } catch (NumberFormatException e) {
                    throw new IOException("bad flags line in fdinfo: " + line, e);
                }
            }
        }
        throw new IOException("no flags line in fdinfo");
    }
}
