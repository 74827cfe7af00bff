package org.prhelper.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.prhelper.api.DeviceIdentity.Kind;

/**
 * The identifiers sysfs gives a device number: {@code dev/block/MAJ:MIN/device/wwid} (a SCSI disk, the
 * logical unit's designator from VPD page 0x83, e.g. {@code naa.6001405ab...}), {@code dev/block/MAJ:MIN/dm/uuid}
 * (a device-mapper map; multipath maps start with {@code mpath-}) and {@code dev/char/MAJ:MIN/device/wwid}
 * (a SCSI generic device such as {@code /dev/sg2}). The root is a parameter so tests can use a fake tree.
 */
final class Sysfs {
    /** What a device number has in sysfs; null parts are absent or unreadable. */
    record Ids(String wwid, String dmUuid) {
        static final Ids NONE = new Ids(null, null);
    }

    private final Path root;

    Sysfs(Path root) {
        this.root = root;
    }

    Ids lookup(Kind kind, int major, int minor) {
        String numbers = major + ":" + minor;
        switch (kind) {
            case BLOCK: {
                Path dev = root.resolve("dev/block").resolve(numbers);
                return new Ids(read(dev.resolve("device/wwid")), read(dev.resolve("dm/uuid")));
            }
            case CHARACTER:
                return new Ids(read(root.resolve("dev/char").resolve(numbers).resolve("device/wwid")), null);
            default:
                return Ids.NONE;
        }
    }

    /** The attribute without its trailing newline; null when missing, unreadable or empty (a map without uuid). */
    static String read(Path attribute) {
        try {
            String value = new String(Files.readAllBytes(attribute), StandardCharsets.UTF_8).strip();
            return value.isEmpty() ? null : value;
        } catch (IOException e) {
            return null;
        }
    }
}
