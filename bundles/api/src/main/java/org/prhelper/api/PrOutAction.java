package org.prhelper.api;

/**
 * The PERSISTENT RESERVE OUT service actions of SPC-4 (CDB byte 1, bits 0-4), each with the token
 * the audit log and the metrics name it by and the name socket policies and the shell take.
 */
public enum PrOutAction {
    REGISTER(0, "REGISTER", "register", false),
    RESERVE(1, "RESERVE", "reserve", true),
    RELEASE(2, "RELEASE", "release", true),
    CLEAR(3, "CLEAR", "clear", false),
    PREEMPT(4, "PREEMPT", "preempt", true),
    PREEMPT_AND_ABORT(5, "PREEMPT_AND_ABORT", "preempt-and-abort", true),
    REGISTER_AND_IGNORE_EXISTING_KEY(6, "REGISTER_AND_IGNORE", "register-and-ignore-existing-key", false),
    REGISTER_AND_MOVE(7, "REGISTER_AND_MOVE", "register-and-move", true),
    REPLACE_LOST_RESERVATION(8, "REPLACE_LOST", "replace-lost-reservation", true);

    private final int code;
    private final String token;
    private final String policyName;
    private final boolean typed;

    PrOutAction(int code, String token, String policyName, boolean typed) {
        this.code = code;
        this.token = token;
        this.policyName = policyName;
        this.typed = typed;
    }

    public int code() {
        return code;
    }

    /** The audit log's {@code sa} token, e.g. {@code REGISTER_AND_IGNORE}. */
    public String token() {
        return token;
    }

    /** E.g. {@code register-and-ignore-existing-key}. */
    public String policyName() {
        return policyName;
    }

    /**
     * Whether SPC-4 defines the CDB's TYPE field for it: the actions that create, move or remove a
     * reservation of that type. The others ignore the field.
     */
    public boolean takesType() {
        return typed;
    }

    /** The action of {@code code}, null for the codes SPC-4 leaves reserved. */
    public static PrOutAction of(int code) {
        PrOutAction[] all = values();
        // Declared in code order, from 0.
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
