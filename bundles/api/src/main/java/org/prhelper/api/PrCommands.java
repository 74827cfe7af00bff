package org.prhelper.api;

/** Names of the PERSISTENT RESERVE commands: the tokens of the audit log's {@code op} and {@code sa}. */
public final class PrCommands {
    private static final String[] PR_IN_ACTIONS = {
        "READ_KEYS", "READ_RESERVATION", "REPORT_CAPABILITIES", "READ_FULL_STATUS",
    };
    private static final String[] PR_OUT_ACTIONS = {
        "REGISTER", "RESERVE", "RELEASE", "CLEAR", "PREEMPT", "PREEMPT_AND_ABORT", "REGISTER_AND_IGNORE",
        "REGISTER_AND_MOVE", "REPLACE_LOST",
    };

    private PrCommands() {
    }

    /** {@code PRIN}, {@code PROUT}, or the opcode in hex ({@code 0x12}). */
    public static String opcode(int opcode) {
        switch (opcode) {
            case PrRequest.OPCODE_PR_IN: return "PRIN";
            case PrRequest.OPCODE_PR_OUT: return "PROUT";
            default: return String.format("0x%02x", opcode & 0xFF);
        }
    }

    /** E.g. {@code READ_KEYS}, {@code REGISTER}; the number in decimal when it has no name. */
    public static String serviceAction(int opcode, int action) {
        String[] names = opcode == PrRequest.OPCODE_PR_IN ? PR_IN_ACTIONS
                : opcode == PrRequest.OPCODE_PR_OUT ? PR_OUT_ACTIONS : null;
        return names != null && action >= 0 && action < names.length ? names[action] : Integer.toString(action);
    }

    /** E.g. {@code PRIN READ_KEYS}, {@code PROUT REGISTER}. */
    public static String name(int opcode, int serviceAction) {
        return opcode(opcode) + " " + serviceAction(opcode, serviceAction);
    }
}
