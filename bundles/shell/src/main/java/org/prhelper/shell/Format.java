package org.prhelper.shell;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.prhelper.api.ReservationType;

/** How the commands show values: the same in every table, {@code -} for what is unknown. */
final class Format {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private Format() {
    }

    static String seconds(Instant time) {
        return time == null ? "-" : SECONDS.format(time);
    }

    static String millis(Instant time) {
        return time == null ? "-" : MILLIS.format(time);
    }

    /** Credentials and the VM's name are -1 or null when unknown. */
    static String id(long value) {
        return value < 0 ? "-" : Long.toString(value);
    }

    /** The JSON form of a credential: null when unknown. */
    static Long known(long value) {
        return value < 0 ? null : value;
    }

    /** ISO-8601 in UTC with the fraction the clock gave, for JSON: 2026-11-22T09:04:55.020Z. */
    static String iso(Instant time) {
        return time == null ? null : time.toString();
    }

    static String text(String value) {
        return value == null ? "-" : value;
    }

    /** 1d 02:03:04, or 02:03:04 under a day. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        String hms = String.format("%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
        return s >= 86400 ? s / 86400 + "d " + hms : hms;
    }

    /** KEY/ASC/ASCQ in hex, as the audit log, sg3_utils and kernel messages show them: 5/24/00. */
    static String sense(int key, int asc, int ascq) {
        return String.format("%x/%02x/%02x", key, asc, ascq);
    }

    /** {@code 5 write-exclusive-registrants-only}; the code alone where SPC-4 defines no type. */
    static String type(int code) {
        ReservationType t = ReservationType.of(code);
        return t == null ? Integer.toString(code) : code + " " + t.policyName();
    }

    static String key(long key) {
        return String.format("0x%016x", key);
    }
}
