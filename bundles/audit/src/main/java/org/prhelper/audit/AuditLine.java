package org.prhelper.audit;

import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrCommands;
import org.prhelper.api.PrRequest;
import org.prhelper.api.ScsiStatus;

/**
 * An audit record as one line of {@code key=value} pairs, always the same keys in the same order so
 * that a storage admin can grep and cut it. Unknown values are {@code -}. A value containing a space,
 * a quote, a backslash or a control character is quoted, with those characters escaped, so a crafted
 * VM name or path can neither split a field nor forge a line. A record sent by a person (a shell
 * command) ends with {@code user=NAME}; socket requests have none, so their lines keep the format
 * they had before users were recorded.
 */
final class AuditLine {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private AuditLine() {
    }

    static String format(AuditRecord r) {
        return append(new StringBuilder(320), r).toString();
    }

    /** Appends the line of {@code r} (without a line end) to {@code b}, after a space if b holds text. */
    static StringBuilder append(StringBuilder b, AuditRecord r) {
        PeerIdentity peer = r.peer() == null ? PeerIdentity.UNKNOWN : r.peer();
        DeviceIdentity device = r.device() == null ? DeviceIdentity.UNKNOWN : r.device();
        boolean out = r.opcode() == PrRequest.OPCODE_PR_OUT;
        text(b, "socket", r.socket());
        number(b, "peer.pid", peer.pid());
        number(b, "peer.uid", peer.uid());
        number(b, "peer.gid", peer.gid());
        text(b, "vm", peer.vmName());
        text(b, "dev", device.path());
        text(b, "devnum", device.numbers());
        text(b, "wwid", deviceId(device));
        text(b, "op", PrCommands.opcode(r.opcode()));
        text(b, "sa", PrCommands.serviceAction(r.opcode(), r.serviceAction()));
        number(b, "scope", r.scope());
        number(b, "type", r.type());
        // PR IN carries no keys; 0 there would read as a key.
        text(b, "key", out ? "0x" + Long.toHexString(r.reservationKey()) : null);
        text(b, "sakey", out ? "0x" + Long.toHexString(r.serviceActionKey()) : null);
        text(b, "decision", r.decision());
        text(b, "backend", r.backend());
        text(b, "status", status(r.status()));
        // KEY/ASC/ASCQ in hex, as sg3_utils and kernel messages show them: 5/24/00.
        key(b, "sense").append(HEX[r.senseKey() & 0xF]).append('/');
        hexByte(b, r.asc()).append('/');
        hexByte(b, r.ascq());
        number(b, "latency_us", r.latencyNanos() / 1000);
        // Last, and only where known: parsers of the fields before it, by key or by position, still work.
        if (r.user() != null) {
            text(b, "user", r.user());
        }
        return b;
    }

    /** The WWID, or for a device-mapper map (which has none) its uuid. */
    static String deviceId(DeviceIdentity device) {
        return device.wwid() != null ? device.wwid() : device.dmUuid();
    }

    /** The status name with underscores, one token like the service actions: RESERVATION_CONFLICT. */
    static String status(int status) {
        return ScsiStatus.name(status).replace(' ', '_');
    }

    private static StringBuilder hexByte(StringBuilder b, int value) {
        return b.append(HEX[(value >> 4) & 0xF]).append(HEX[value & 0xF]);
    }

    private static StringBuilder key(StringBuilder b, String key) {
        if (b.length() > 0) {
            b.append(' ');
        }
        return b.append(key).append('=');
    }

    /** Negative numbers mean unknown (no credentials, or a PR IN's scope and type). */
    private static void number(StringBuilder b, String key, long value) {
        key(b, key);
        if (value < 0) {
            b.append('-');
        } else {
            b.append(value);
        }
    }

    private static void text(StringBuilder b, String key, String value) {
        key(b, key);
        if (value == null) {
            b.append('-');
        } else if (needsQuotes(value)) {
            quote(b, value);
        } else {
            b.append(value);
        }
    }

    private static boolean needsQuotes(String value) {
        if (value.isEmpty()) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\' || isControl(c)) {
                return true;
            }
        }
        return false;
    }

    /** Characters a log viewer may take as a line break or hide: C0 and C1 controls, DEL, LS, PS. */
    private static boolean isControl(char c) {
        return c < ' ' || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }

    private static void quote(StringBuilder b, String value) {
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (isControl(c)) {
                        hexByte(hexByte(b.append("\\u"), c >> 8), c);
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }
}
