package org.prhelper.api;

/**
 * What a request's descriptor refers to: the path it was opened as (the target of
 * {@code /proc/self/fd/N}), whether it is a block or character device with its numbers, the SCSI
 * WWID of the logical unit (e.g. {@code naa.6001405ab...}) or, for a device-mapper map, its uuid
 * (e.g. {@code mpath-36001405ab...}). Unknown parts are null or -1.
 */
public record DeviceIdentity(String path, Kind kind, int major, int minor, String wwid, String dmUuid) {
    public enum Kind { BLOCK, CHARACTER, OTHER }

    public static final DeviceIdentity UNKNOWN = new DeviceIdentity(null, Kind.OTHER, -1, -1, null, null);

    /** A dm-multipath map (its device-mapper uuid starts with {@code mpath-}). */
    public boolean isMultipath() {
        return dmUuid != null && dmUuid.startsWith("mpath-");
    }

    /** "MAJ:MIN", or null for a descriptor that is not a device. */
    public String numbers() {
        return kind == Kind.OTHER ? null : major + ":" + minor;
    }
}
