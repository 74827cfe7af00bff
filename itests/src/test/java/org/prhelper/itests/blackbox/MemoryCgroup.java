package org.prhelper.itests.blackbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cgroup of its own below this JVM's, with a memory limit, as systemd's MemoryMax= or a container
 * runtime sets one: cgroup v2's memory.max, or v1's memory.limit_in_bytes on a host that mounts the
 * v1 memory controller. Removed on close, once the processes started in it have exited.
 */
final class MemoryCgroup implements AutoCloseable {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private final Path dir;

    private MemoryCgroup(Path dir) {
        this.dir = dir;
    }

    /** Empty when this host gives no writable memory controller to this JVM (not root, read-only). */
    static Optional<MemoryCgroup> create(String name, long limitMegabytes) throws IOException {
        String v2Path = null;
        String v1Path = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f[1].isEmpty()) {
                v2Path = f[2];
            } else if (List.of(f[1].split(",")).contains("memory")) {
                v1Path = f[2];
            }
        }
        Path dir;
        String limitFile;
        if (Files.exists(ROOT.resolve("cgroup.controllers")) && v2Path != null) {
            Path own = ROOT.resolve(v2Path.substring(1));
            if (!Files.readString(own.resolve("cgroup.subtree_control")).contains("memory")
                    && !write(own.resolve("cgroup.subtree_control"), "+memory")) {
                return Optional.empty();
            }
            dir = own.resolve(name);
            limitFile = "memory.max";
        } else if (v1Path != null && Files.isDirectory(ROOT.resolve("memory"))) {
            dir = ROOT.resolve("memory").resolve(v1Path.substring(1)).resolve(name);
            limitFile = "memory.limit_in_bytes";
        } else {
            return Optional.empty();
        }
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            return Optional.empty();
        }
        MemoryCgroup cgroup = new MemoryCgroup(dir);
        if (!write(dir.resolve(limitFile), Long.toString(limitMegabytes << 20))) {
            cgroup.close();
            return Optional.empty();
        }
        return Optional.of(cgroup);
    }

    private static boolean write(Path file, String value) {
        try {
            Files.writeString(file, value);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code command} run inside this cgroup: a shell moves itself in, then execs it (same pid). */
    List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
                "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", dir.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir);
    }
}
