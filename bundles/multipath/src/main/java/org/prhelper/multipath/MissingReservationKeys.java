package org.prhelper.multipath;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.prhelper.api.DeviceIdentity;

/**
 * The maps served whose multipath.conf gives no {@code reservation_key}: each is reported once in the
 * log when first seen, and listed for as long as the backend runs, for {@code pr:status} and the health
 * MBean. Plain Java, so the rule is tested without the library.
 */
final class MissingReservationKeys {
    private final ReservationKeys keys;
    /** dm uuid to the path the map was first seen as; sorted, so the warnings come in a stable order. */
    private final Map<String, String> missing = new ConcurrentSkipListMap<>();
    private final Map<String, Boolean> checked = new ConcurrentSkipListMap<>();

    MissingReservationKeys(ReservationKeys keys) {
        this.keys = keys;
    }

    /** Whether {@code map} is seen for the first time and lacks a key: then the caller logs it. */
    boolean firstSeenWithoutKey(DeviceIdentity map) {
        String uuid = map.dmUuid();
        if (uuid == null || checked.putIfAbsent(uuid, Boolean.TRUE) != null || keys.covers(uuid)) {
            return false;
        }
        missing.put(uuid, map.path() == null ? "?" : map.path());
        return true;
    }

    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        missing.forEach((uuid, path) -> warnings.add(warning(path, uuid)));
        return warnings;
    }

    static String warning(String path, String uuid) {
        return "multipath map " + path + " (" + uuid + ") has no reservation_key in multipath.conf: multipathd will "
                + "not register the key again on a path that comes back after a failure; set 'reservation_key file' "
                + "in its defaults section";
    }
}
