package org.prhelper.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sysfs tree under a temporary directory, written the way the kernel shows attributes (newline-terminated). */
final class FakeSysfs {
    static final String SD_WWID = "naa.6001405ab0000000000000000000001";
    static final String MPATH_UUID = "mpath-36001405ab0000000000000000000001";
    static final String SG_WWID = "naa.6001405ab0000000000000000000002";

    final Path root;

    FakeSysfs(Path root) throws IOException {
        this.root = root;
        write("dev/block/8:0/device/wwid", SD_WWID + "\n");
        write("dev/block/253:0/dm/uuid", MPATH_UUID + "\n");
        write("dev/block/253:1/dm/uuid", "\n");
        write("dev/char/21:0/device/wwid", SG_WWID + "\n");
        Files.createDirectories(root.resolve("dev/block/7:0"));
        Files.createDirectories(root.resolve("dev/char/1:3"));
    }

    void write(String attribute, String content) throws IOException {
        Path file = root.resolve(attribute);
        Files.createDirectories(file.getParent());
        Files.write(file, content.getBytes(StandardCharsets.UTF_8));
    }
}
