package org.prhelper.api;

/**
 * The PERSISTENT RESERVE OUT service actions of SPC-4 (CDB byte 1, bits 0-4): the constant's name is
 * the token the audit log and the metrics use, with the name socket policies take.
 */
public enum PrOutAction {
    REGISTER("register", false),
    RESERVE("reserve", true),
    RELEASE("release", true),
    CLEAR("clear", false),
    PREEMPT("preempt", true),
    PREEMPT_AND_ABORT("preempt-and-abort", true),
    REGISTER_AND_IGNORE("register-and-ignore-existing-key", false),
    REGISTER_AND_MOVE("register-and-move", true),
    REPLACE_LOST("replace-lost-reservation", true);

    private final String policyName;
    private final boolean typed;

    PrOutAction(String policyName, boolean typed) {
        this.policyName = policyName;
        this.typed = typed;
    }

    /** Declared in code order, from 0. */
    public int code() {
        return ordinal();
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
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
