package org.prhelper.itests.blackbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.stream.Stream;

import org.prhelper.itests.Poll;

/**
 * What /proc says about a server process: its open descriptors and resident memory. A helper lives
 * as long as its VM, so a descriptor or memory it keeps per request would show here first.
 */
final class ProcessWatch {
    private final long pid;

    ProcessWatch(long pid) {
        this.pid = pid;
    }

    long descriptorCount() {
        try (Stream<Path> entries = Files.list(fdDir())) {
            return entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The count once it stopped changing for five polls in a row (the server closes a connection's
     * socket only after it notices the client's close), or the last one seen after {@code timeout}.
     */
    long settledDescriptorCount(Duration timeout) {
        long[] last = {-1};
        int[] sameInARow = {0};
        Poll.until(timeout, () -> {
            long now = descriptorCount();
            sameInARow[0] = now == last[0] ? sameInARow[0] + 1 : 0;
            last[0] = now;
            return sameInARow[0] >= 5;
        });
        return last[0];
    }

    /** What the descriptors point at, to tell what leaked when the count is off. */
    String descriptorList() {
        StringBuilder list = new StringBuilder();
        try (Stream<Path> entries = Files.list(fdDir())) {
            entries.forEach(fd -> {
                try {
                    list.append(fd.getFileName()).append(" -> ").append(Files.readSymbolicLink(fd)).append('\n');
                } catch (IOException e) {
                    list.append(fd.getFileName()).append(" (closed meanwhile)\n");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return list.toString();
    }

    /** VmRSS from /proc/PID/status, in KiB. */
    long residentKib() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Our launcher execs the JVM, so the started process is the server itself. */
    private Path fdDir() {
        return Paths.get("/proc", Long.toString(pid), "fd");
    }
}
