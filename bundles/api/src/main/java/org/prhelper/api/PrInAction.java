package org.prhelper.api;

/** The PERSISTENT RESERVE IN service actions of SPC-4 (CDB byte 1, bits 0-4); the name is the audit token. */
public enum PrInAction {
    READ_KEYS,
    READ_RESERVATION,
    REPORT_CAPABILITIES,
    READ_FULL_STATUS;

    /** Declared in code order, from 0. */
    public int code() {
        return ordinal();
    }

    /** The action of {@code code}, null for the codes SPC-4 leaves reserved. */
    public static PrInAction of(int code) {
        PrInAction[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
