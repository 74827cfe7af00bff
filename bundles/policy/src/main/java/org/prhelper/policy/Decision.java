package org.prhelper.policy;

import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/**
 * What a socket's policy decided for one request: {@link #ALLOW}, or a refusal naming the rule that
 * refused it and carrying the reply the client gets instead of the device's. Immutable.
 */
public final class Decision {
    public static final Decision ALLOW = new Decision(null, ScsiStatus.GOOD, null);

    private final String rule;
    private final int status;
    private final SenseCode sense;

    private Decision(String rule, int status, SenseCode sense) {
        this.rule = rule;
        this.status = status;
        this.sense = sense;
    }

    /** Refused with CHECK CONDITION and this sense. */
    static Decision refuse(String rule, SenseCode sense) {
        return new Decision(rule, ScsiStatus.CHECK_CONDITION, sense);
    }

    /** Refused for now: BUSY without sense, which initiators retry. */
    static Decision busy(String rule) {
        return new Decision(rule, ScsiStatus.BUSY, null);
    }

    public boolean allowed() {
        return rule == null;
    }

    /**
     * The rule that refused the request, for the audit trail (e.g. {@code device /dev/sdb (8:16) not in
     * allow.devices.*}); null when allowed.
     */
    public String rule() {
        return rule;
    }

    /** The status of the reply to a refused request. */
    public int status() {
        return status;
    }

    /** The sense of the reply to a refused request; null for BUSY and when allowed. */
    public SenseCode sense() {
        return sense;
    }

    /** Writes the reply to a refused request. */
    public void applyTo(PrResponse response) {
        if (allowed()) {
            throw new IllegalStateException("an allowed request is answered by its backend");
        }
        if (sense != null) {
            response.checkCondition(sense);
        } else {
            response.statusOnly(status);
        }
    }

    /** {@code allow} or {@code deny: <rule>}, the audit record's form. */
    @Override
    public String toString() {
        return allowed() ? "allow" : "deny: " + rule;
    }
}
