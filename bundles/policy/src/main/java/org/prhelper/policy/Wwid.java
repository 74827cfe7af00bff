package org.prhelper.policy;

import java.util.Locale;

/**
 * A logical unit's identifier, recognised in the forms Linux tools print it so that one rule matches
 * the SCSI disks (paths) of a LUN and its multipath map:
 * <ul>
 * <li>the kernel's {@code device/wwid} (VPD page 0x83): {@code naa.<hex>}, {@code eui.<hex>},
 * {@code t10.<vendor id>}, or a SCSI name string such as {@code iqn....};</li>
 * <li>multipath's WWID (udev {@code ID_SERIAL}): the designator type digit then the identifier,
 * {@code 3<naa hex>}, {@code 2<eui hex>}, {@code 1<vendor id>} (blanks as underscores), {@code 8<name>};</li>
 * <li>a multipath map's device-mapper uuid: {@code mpath-} and its WWID;</li>
 * <li>{@code 0x<naa hex>} or the bare NAA hex as sg_vpd and storage arrays show it.</li>
 * </ul>
 * Comparison ignores case; vendor ids compare with runs of blanks and underscores as one underscore.
 * Matching a device's identifier allocates nothing.
 */
final class Wwid {
    private static final int NAA = 0;
    private static final int EUI = 1;
    private static final int T10 = 2;
    private static final int NAME = 3;
    private static final String[] PREFIX = {"naa.", "eui.", "t10.", ""};
    static final String FORMS = "not a WWID (naa.<hex>, eui.<hex>, t10.<vendor id>, 3<naa hex>, 2<eui hex>, "
            + "1<vendor id>, mpath-<WWID>, 0x<naa hex>)";

    private final int type;
    /** Lower case; for T10 with blanks folded (see {@link #fold}). */
    private final String body;

    private Wwid(int type, String body) {
        this.type = type;
        this.body = body;
    }

    /** A configured WWID; the exception message is the reason only, the caller adds key and value. */
    static Wwid parse(String text) {
        long where = locate(text);
        if (where < 0) {
            throw new IllegalArgumentException(FORMS);
        }
        int type = type(where);
        String body = text.substring(start(where)).toLowerCase(Locale.ROOT);
        switch (type) {
            case NAA:
                if (!isHex(body, 0) || (body.length() != 16 && body.length() != 32)) {
                    throw new IllegalArgumentException("not a WWID: an NAA identifier has 16 or 32 hex digits");
                }
                break;
            case EUI:
                if (!isHex(body, 0) || (body.length() != 16 && body.length() != 24 && body.length() != 32)) {
                    throw new IllegalArgumentException("not a WWID: an EUI-64 identifier has 16, 24 or 32 hex digits");
                }
                break;
            case T10:
                body = fold(body);
                if (body.isEmpty()) {
                    throw new IllegalArgumentException("not a WWID: the T10 vendor id is empty");
                }
                break;
            default:
                break;
        }
        return new Wwid(type, body);
    }

    /**
     * Where the identifier in {@code id} starts and what type it is ({@code type << 32 | start}), or -1
     * when {@code id} is null or in no known form. Computed once per device string, then given to
     * {@link #matches(String, long)} for each rule.
     */
    static long locate(String id) {
        if (id == null) {
            return -1;
        }
        int at = id.regionMatches(true, 0, "mpath-", 0, 6) ? 6 : 0;
        int length = id.length() - at;
        if (length <= 0) {
            return -1;
        }
        if (id.regionMatches(true, at, "naa.", 0, 4)) {
            return where(NAA, at + 4);
        }
        if (id.regionMatches(true, at, "eui.", 0, 4)) {
            return where(EUI, at + 4);
        }
        if (id.regionMatches(true, at, "t10.", 0, 4)) {
            return where(T10, at + 4);
        }
        if (id.regionMatches(true, at, "0x", 0, 2)) {
            return where(NAA, at + 2);
        }
        if ((length == 16 || length == 32) && isHex(id, at)) {
            return where(NAA, at);
        }
        int rest = length - 1;
        switch (id.charAt(at)) {
            case '3':
                return (rest == 16 || rest == 32) && isHex(id, at + 1) ? where(NAA, at + 1) : -1;
            case '2':
                return (rest == 16 || rest == 24 || rest == 32) && isHex(id, at + 1) ? where(EUI, at + 1) : -1;
            case '1':
                return rest > 0 ? where(T10, at + 1) : -1;
            case '8':
                return rest > 0 ? nameString(id, at + 1) : -1;
            default:
                return id.regionMatches(true, at, "iqn.", 0, 4) ? where(NAME, at) : -1;
        }
    }

    /** SPC name strings that carry an NAA or EUI identifier are that identifier. */
    private static long nameString(String id, int at) {
        if (id.regionMatches(true, at, "naa.", 0, 4)) {
            return where(NAA, at + 4);
        }
        if (id.regionMatches(true, at, "eui.", 0, 4)) {
            return where(EUI, at + 4);
        }
        return where(NAME, at);
    }

    private static long where(int type, int start) {
        return ((long) type << 32) | start;
    }

    private static int type(long where) {
        return (int) (where >>> 32);
    }

    private static int start(long where) {
        return (int) where;
    }

    private static boolean isHex(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return from < s.length();
    }

    /** Whether {@code id}, located by {@link #locate}, is this identifier. */
    boolean matches(String id, long where) {
        if (where < 0 || type(where) != type) {
            return false;
        }
        int start = start(where);
        if (type == T10) {
            return foldedEquals(id, start);
        }
        return id.length() - start == body.length() && id.regionMatches(true, start, body, 0, body.length());
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '_';
    }

    /** Vendor ids: udev writes blanks as underscores and the kernel keeps padding; fold both. */
    private static String fold(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isBlank(c)) {
                b.append(c);
            } else if (b.length() > 0 && b.charAt(b.length() - 1) != '_') {
                b.append('_');
            }
        }
        int end = b.length();
        return end > 0 && b.charAt(end - 1) == '_' ? b.substring(0, end - 1) : b.toString();
    }

    /** {@code fold(id.substring(start).toLowerCase()).equals(body)} without building the string. */
    private boolean foldedEquals(String id, int start) {
        int i = start;
        int n = id.length();
        int j = 0;
        while (i < n && isBlank(id.charAt(i))) {
            i++;
        }
        while (i < n) {
            char c = id.charAt(i);
            if (isBlank(c)) {
                while (i < n && isBlank(id.charAt(i))) {
                    i++;
                }
                if (i == n) {
                    break;
                }
                c = '_';
            } else {
                c = Character.toLowerCase(c);
                i++;
            }
            if (j >= body.length() || body.charAt(j) != c) {
                return false;
            }
            j++;
        }
        return j == body.length();
    }

    @Override
    public String toString() {
        return PREFIX[type] + body;
    }
}
