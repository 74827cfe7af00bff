package org.prhelper.multipath;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The running paths of a map, from a sysfs tree laid out as the kernel shows it. */
public class MapPathsTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path sys;

    @Before
    public void createSysfs() {
        sys = temp.getRoot().toPath();
    }

    @Test
    public void onlyRunningPathsCount() throws IOException {
        path("sdc", "offline\n");
        path("sdb", "running\n");
        assertEquals(List.of("sdb"), new MapPaths(sys).running(253, 0));
    }

    /** Name order, whatever order the directory lists them in; blocked and vanished paths are left out. */
    @Test
    public void pathsComeInNameOrder() throws IOException {
        for (String name : new String[] {"sdz", "sdm", "sdaa", "sdc", "sdb"}) {
            path(name, "running\n");
        }
        path("sdd", "blocked\n");
        path("sde", null);
        assertEquals(List.of("sdaa", "sdb", "sdc", "sdm", "sdz"), new MapPaths(sys).running(253, 0));
    }

    /** Another map's paths are not this map's. */
    @Test
    public void theMapIsChosenByDeviceNumber() throws IOException {
        path("sdb", "running\n");
        Files.createDirectories(sys.resolve("dev/block/253:1/slaves/sdf"));
        write("block/sdf/device/state", "running\n");
        assertEquals(List.of("sdf"), new MapPaths(sys).running(253, 1));
    }

    /** Every path with its state, in name order: what tells the backend its kept paths went stale. */
    @Test
    public void statesNameEveryPathWithItsState() throws IOException {
        path("sdc", "offline\n");
        path("sdb", "running\n");
        path("sdd", null);
        assertEquals("sdb=running sdc=offline sdd=unreadable ", new MapPaths(sys).states(253, 0));
    }

    @Test(expected = IOException.class)
    public void aMapWithoutSlavesIsAnError() throws IOException {
        Files.createDirectories(sys.resolve("dev/block/253:0"));
        new MapPaths(sys).running(253, 0);
    }

    /** A path of map 253:0 whose SCSI device is in {@code state}, or has no state file if null. */
    private void path(String name, String state) throws IOException {
        Files.createDirectories(sys.resolve("dev/block/253:0/slaves/" + name));
        if (state != null) {
            write("block/" + name + "/device/state", state);
        } else {
            Files.createDirectories(sys.resolve("block/" + name + "/device"));
        }
    }

    private void write(String file, String content) throws IOException {
        Path path = sys.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }
}
