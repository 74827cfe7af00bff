package org.prhelper.api;

import java.util.Locale;

/**
 * The persistent reservation types of SPC-4 (table "Persistent reservation type codes"): the code,
 * the short name of the spec's capability bits ({@code WR_EX_RO}), and the name socket policies take
 * ({@code write-exclusive-registrants-only}).
 */
public enum ReservationType {
    WR_EX(1, "write-exclusive"),
    EX_AC(3, "exclusive-access"),
    WR_EX_RO(5, "write-exclusive-registrants-only"),
    EX_AC_RO(6, "exclusive-access-registrants-only"),
    WR_EX_AR(7, "write-exclusive-all-registrants"),
    EX_AC_AR(8, "exclusive-access-all-registrants");

    private final int code;
    private final String policyName;

    ReservationType(int code, String policyName) {
        this.code = code;
        this.policyName = policyName;
    }

    public int code() {
        return code;
    }

    public String policyName() {
        return policyName;
    }

    /** The type of {@code code}, null for the reserved and obsolete codes. */
    public static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** A code (1, 3, 5, 6, 7, 8), a short name in any case ({@code wr_ex_ro}) or a policy name; null if none. */
    public static ReservationType parse(String text) {
        String name = text.trim();
        for (ReservationType t : values()) {
            if (name.equals(Integer.toString(t.code)) || name.equalsIgnoreCase(t.name())
                    || name.toLowerCase(Locale.ROOT).equals(t.policyName)) {
                return t;
            }
        }
        return null;
    }
}
