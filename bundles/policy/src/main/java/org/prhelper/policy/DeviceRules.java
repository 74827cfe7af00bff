package org.prhelper.policy;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceIdentity.Kind;

/** The allow.devices.* rules of a socket: a device is allowed when it matches any one of them. */
final class DeviceRules {
    static final int MAX_MAJOR = 4095;
    static final int MAX_MINOR = (1 << 20) - 1;
    private static final int ANY_MINOR = -1;

    private final PathMatcher[] globs;
    private final Wwid[] wwids;
    private final int[] majors;
    private final int[] minors;
    private final String description;

    private DeviceRules(PathMatcher[] globs, Wwid[] wwids, int[] majors, int[] minors, String description) {
        this.globs = globs;
        this.wwids = wwids;
        this.majors = majors;
        this.minors = minors;
        this.description = description;
    }

    /** The rules of the keys that are set (null: not set); null when none is. */
    static DeviceRules parse(ConfigValue paths, ConfigValue wwidValue, ConfigValue numbers) {
        if (paths == null && wwidValue == null && numbers == null) {
            return null;
        }
        List<String> described = new ArrayList<>();
        PathMatcher[] globs = new PathMatcher[0];
        if (paths != null) {
            globs = new PathMatcher[paths.items.size()];
            for (int i = 0; i < globs.length; i++) {
                globs[i] = glob(paths, paths.items.get(i));
            }
            described.add(paths.key + " = " + String.join(", ", paths.items));
        }
        Wwid[] wwids = new Wwid[0];
        if (wwidValue != null) {
            wwids = new Wwid[wwidValue.items.size()];
            List<String> canonical = new ArrayList<>();
            for (int i = 0; i < wwids.length; i++) {
                String item = wwidValue.items.get(i);
                try {
                    wwids[i] = Wwid.parse(item);
                } catch (IllegalArgumentException e) {
                    throw wwidValue.invalid(item, e.getMessage());
                }
                canonical.add(wwids[i].toString());
            }
            described.add(wwidValue.key + " = " + String.join(", ", canonical));
        }
        int[] majors = new int[0];
        int[] minors = new int[0];
        if (numbers != null) {
            majors = new int[numbers.items.size()];
            minors = new int[majors.length];
            for (int i = 0; i < majors.length; i++) {
                String item = numbers.items.get(i);
                int colon = item.indexOf(':');
                long major = colon < 0 ? -1 : ConfigValue.decimal(item.substring(0, colon).trim(), MAX_MAJOR);
                String minorText = colon < 0 ? "" : item.substring(colon + 1).trim();
                long minor = minorText.equals("*") ? ANY_MINOR : ConfigValue.decimal(minorText, MAX_MINOR);
                if (major < 0 || (minor < 0 && !minorText.equals("*"))) {
                    throw numbers.invalid(item,
                            "not MAJ:MIN or MAJ:* (major 0.." + MAX_MAJOR + ", minor 0.." + MAX_MINOR + ")");
                }
                majors[i] = (int) major;
                minors[i] = (int) minor;
            }
            described.add(numbers.key + " = " + String.join(", ", numbers.items));
        }
        return new DeviceRules(globs, wwids, majors, minors, String.join("; ", described));
    }

    private static PathMatcher glob(ConfigValue paths, String item) {
        if (!item.startsWith("/")) {
            throw paths.invalid(item, "not an absolute path glob (descriptor paths look like /dev/sdb)");
        }
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + item);
        } catch (PatternSyntaxException e) {
            throw paths.invalid(item, "not a valid glob: " + e.getDescription() + " at index " + e.getIndex());
        }
    }

    /** Cheapest rules first; only a path glob allocates (the Path it matches). */
    boolean matches(DeviceIdentity device) {
        if (device.kind() != Kind.OTHER) {
            for (int i = 0; i < majors.length; i++) {
                if (majors[i] == device.major() && (minors[i] == ANY_MINOR || minors[i] == device.minor())) {
                    return true;
                }
            }
        }
        if (wwids.length > 0) {
            long wwidAt = Wwid.locate(device.wwid());
            long uuidAt = Wwid.locate(device.dmUuid());
            for (Wwid w : wwids) {
                if (w.matches(device.wwid(), wwidAt) || w.matches(device.dmUuid(), uuidAt)) {
                    return true;
                }
            }
        }
        if (globs.length > 0 && device.path() != null) {
            Path path;
            try {
                path = Path.of(device.path());
            } catch (InvalidPathException e) {
                return false;
            }
            for (PathMatcher glob : globs) {
                if (glob.matches(path)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return description;
    }
}
