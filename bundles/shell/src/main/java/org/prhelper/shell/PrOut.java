package org.prhelper.shell;

import org.prhelper.api.PrCommands;
import org.prhelper.api.PrRequest;

/**
 * A PERSISTENT RESERVE OUT request as the admin commands send it: one service action, LU scope and
 * the basic 24-byte parameter list (SPC-4 6.17.3): reservation key, service action reservation key,
 * obsolete scope address, then SPEC_I_PT (never set here), ALL_TG_PT and APTPL.
 *
 * @param type the reservation type, null for the service actions that take none
 */
record PrOut(int serviceAction, ReservationType type, long key, long serviceActionKey, boolean aptpl,
        boolean allTargetPorts) {
    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int RELEASE = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE = 6;
    static final int PARAMETER_LIST_LENGTH = 24;

    private static final int ALL_TG_PT = 0x04;
    private static final int APTPL = 0x01;

    PrRequest toRequest() {
        PrRequest request = DeviceCommand.request(PrRequest.OPCODE_PR_OUT, serviceAction, PARAMETER_LIST_LENGTH);
        // Scope LU (0) in bits 4-7.
        request.cdb()[2] = (byte) (type == null ? 0 : type.code());
        request.parameterLength(PARAMETER_LIST_LENGTH);
        byte[] p = request.parameters();
        putLong(p, 0, key);
        putLong(p, 8, serviceActionKey);
        p[20] = (byte) ((allTargetPorts ? ALL_TG_PT : 0) | (aptpl ? APTPL : 0));
        return request;
    }

    /** What will be sent, in words, for the confirmation question and the result line. */
    String describe() {
        StringBuilder b = new StringBuilder(PrCommands.name(PrRequest.OPCODE_PR_OUT, serviceAction));
        // REGISTER AND IGNORE EXISTING KEY ignores the reservation key.
        if (serviceAction != REGISTER_AND_IGNORE) {
            b.append(" key ").append(Format.key(key));
        }
        if (serviceAction == REGISTER || serviceAction == REGISTER_AND_IGNORE) {
            b.append(serviceActionKey == 0 ? " (unregister)" : " new key " + Format.key(serviceActionKey));
        } else if (serviceAction == PREEMPT || serviceAction == PREEMPT_AND_ABORT) {
            b.append(" preempting ").append(Format.key(serviceActionKey));
        }
        if (type != null) {
            b.append(" type ").append(ReservationType.describe(type.code()));
        }
        if (allTargetPorts) {
            b.append(" all target ports");
        }
        if (aptpl) {
            b.append(" persist through power loss");
        }
        return b.toString();
    }

    /** A key in hex ({@code 0x1234}) or in decimal; all 64 bits, as the device takes them. */
    static long parseKey(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid key " + text + ": 0x and up to 16 hex digits, or a decimal number");
        }
    }

    private static void putLong(byte[] b, int offset, long value) {
        for (int i = 0; i < 8; i++) {
            b[offset + i] = (byte) (value >>> (56 - 8 * i));
        }
    }
}
