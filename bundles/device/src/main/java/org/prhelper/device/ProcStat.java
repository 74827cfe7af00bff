package org.prhelper.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * stat through {@code /proc/self/fd/N} with the JDK's "unix" attribute view: no native code, but a
 * path lookup in /proc and a map of boxed values per call. The way used where statx cannot be bound.
 * The link leads to the open file itself, so this holds even when its path was renamed or unlinked.
 */
final class ProcStat implements FileStat.Source {
    private final Path fdDir;

    ProcStat(Path fdDir) {
        this.fdDir = fdDir;
    }

    @Override
    public Optional<FileStat> of(int fd) {
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            Map<String, Object> stat = Files.readAttributes(fdDir.resolve(Integer.toString(fd)),
                    "unix:mode,rdev,dev,ino");
            long rdev = (Long) stat.get("rdev");
            long dev = (Long) stat.get("dev");
            long fileSystem = ((long) DeviceNumbers.major(dev) << 32) | Integer.toUnsignedLong(DeviceNumbers.minor(dev));
            return Optional.of(new FileStat((Integer) stat.get("mode"), DeviceNumbers.major(rdev),
                    DeviceNumbers.minor(rdev), fileSystem, (Long) stat.get("ino")));
        } catch (IOException | RuntimeException e) {
            // RuntimeException: a JDK without the "unix" attribute view.
            return Optional.empty();
        }
    }
}
