package org.prhelper.api;

/** Names of the PERSISTENT RESERVE commands: the tokens of the audit log's {@code op} and {@code sa}. */
public final class PrCommands {
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
        if (opcode == PrRequest.OPCODE_PR_IN) {
            PrInAction in = PrInAction.of(action);
            if (in != null) {
                return in.name();
            }
        } else if (opcode == PrRequest.OPCODE_PR_OUT) {
            PrOutAction out = PrOutAction.of(action);
            if (out != null) {
                return out.name();
            }
        }
        return Integer.toString(action);
    }

    /** E.g. {@code PRIN READ_KEYS}, {@code PROUT REGISTER}. */
    public static String name(int opcode, int serviceAction) {
        return opcode(opcode) + " " + serviceAction(opcode, serviceAction);
    }
}
