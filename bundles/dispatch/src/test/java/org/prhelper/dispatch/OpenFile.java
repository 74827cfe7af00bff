package org.prhelper.dispatch;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A temporary file held open, with the descriptor number it has in this process. */
final class OpenFile implements Closeable {
    final int fd;
    private final Closeable handle;
    private final Path path;

    OpenFile(String mode) throws IOException {
        path = Files.createTempFile("prhelper-fd", ".tmp");
        handle = new RandomAccessFile(path.toFile(), mode);
        fd = find(path);
    }

    private static int find(Path target) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).equals(target);
                } catch (IOException e) {
                    return false;
                }
            }).mapToInt(p -> Integer.parseInt(p.getFileName().toString())).findFirst()
                    .orElseThrow(() -> new IOException("no fd for " + target));
        }
    }

    @Override
    public void close() throws IOException {
        handle.close();
        Files.deleteIfExists(path);
    }
}
