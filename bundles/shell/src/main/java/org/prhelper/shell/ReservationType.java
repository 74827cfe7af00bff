package org.prhelper.shell;

import java.util.Locale;

/**
 * The persistent reservation types of SPC-4 (table "Persistent reservation type codes"): the short
 * names of the spec's capability bits, which the PR OUT commands take, and the names the socket policy
 * takes ({@code allow.prout.types}), which the reads show so that they can be copied into a policy.
 */
enum ReservationType {
    WR_EX(1, "write-exclusive"),
    EX_AC(3, "exclusive-access"),
    WR_EX_RO(5, "write-exclusive-registrants-only"),
    EX_AC_RO(6, "exclusive-access-registrants-only"),
    WR_EX_AR(7, "write-exclusive-all-registrants"),
    EX_AC_AR(8, "exclusive-access-all-registrants");

    /** The codes and short names, for help texts. */
    static final String CODES = "1 wr_ex, 3 ex_ac, 5 wr_ex_ro, 6 ex_ac_ro, 7 wr_ex_ar, 8 ex_ac_ar";

    private final int code;
    private final String policyName;

    ReservationType(int code, String policyName) {
        this.code = code;
        this.policyName = policyName;
    }

    int code() {
        return code;
    }

    /** The type of {@code code}, or null for the reserved and obsolete codes. */
    static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** The policy name of {@code code}, null for the reserved and obsolete codes. */
    static String policyName(int code) {
        ReservationType t = of(code);
        return t == null ? null : t.policyName;
    }

    /** {@code 5 write-exclusive-registrants-only}; the number alone for a code without a type. */
    static String describe(int code) {
        ReservationType t = of(code);
        return t == null ? Integer.toString(code) : code + " " + t.policyName;
    }

    /** A number (1, 3, 5, 6, 7, 8), a short name in any case ({@code wr_ex_ro}) or a policy name. */
    static ReservationType parse(String text) {
        String name = text.trim();
        for (ReservationType t : values()) {
            if (name.equals(Integer.toString(t.code)) || name.equalsIgnoreCase(t.name())
                    || name.toLowerCase(Locale.ROOT).equals(t.policyName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown reservation type " + text + " (" + CODES + ")");
    }
}
