package org.prhelper.multipath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The SCSI paths under a dm-multipath map, from sysfs, in name order, usable ones only. */
final class MapPaths {
    private final Path sys;

    MapPaths(Path sys) {
        this.sys = sys;
    }

    /**
     * The block devices ({@code sdb}, ...) the map {@code major:minor} is built on whose SCSI device
     * is running (not offline, blocked or being deleted).
     */
    List<String> running(int major, int minor) throws IOException {
        List<String> names = slaves(major, minor);
        names.removeIf(name -> !isRunning(name));
        return names;
    }

    /**
     * Every block device the map is built on with its SCSI device's state, e.g. {@code sdb=running
     * sdc=offline}: what changes when a path is added, removed, taken offline or blocked.
     */
    String states(int major, int minor) throws IOException {
        StringBuilder states = new StringBuilder();
        for (String name : slaves(major, minor)) {
            states.append(name).append('=').append(state(name)).append(' ');
        }
        return states.toString();
    }

    private List<String> slaves(int major, int minor) throws IOException {
        Path slaves = sys.resolve("dev/block/" + major + ":" + minor + "/slaves");
        List<String> names = new ArrayList<>();
        try (Stream<Path> list = Files.list(slaves)) {
            list.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        }
        return names;
    }

    private boolean isRunning(String name) {
        return state(name).equals("running");
    }

    private String state(String name) {
        try {
            return Files.readString(sys.resolve("block/" + name + "/device/state")).trim();
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
