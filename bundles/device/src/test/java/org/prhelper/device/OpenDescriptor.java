package org.prhelper.device;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A file held open, with the descriptor number it has in this process: the one descriptor leading to
 * the file that was not there before it was opened.
 */
final class OpenDescriptor implements Closeable {
    final int fd;
    private final RandomAccessFile file;

    OpenDescriptor(Path path) throws IOException {
        Path target = path.toRealPath();
        Set<Integer> before = descriptorsOf(target);
        file = new RandomAccessFile(path.toFile(), "r");
        Set<Integer> opened = descriptorsOf(target);
        opened.removeAll(before);
        if (opened.size() != 1) {
            file.close();
            throw new IOException("cannot tell the descriptor of " + path + ": new ones are " + opened);
        }
        fd = opened.iterator().next();
    }

    private static Set<Integer> descriptorsOf(Path target) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> leadsTo(p, target)).map(p -> Integer.valueOf(p.getFileName().toString()))
                    .collect(Collectors.toSet());
        }
    }

    private static boolean leadsTo(Path fd, Path target) {
        try {
            return Files.readSymbolicLink(fd).equals(target);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
