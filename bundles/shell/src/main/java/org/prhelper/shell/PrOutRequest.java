package org.prhelper.shell;

import java.nio.ByteBuffer;

import org.prhelper.api.PrCommands;
import org.prhelper.api.PrOutAction;
import org.prhelper.api.PrRequest;
import org.prhelper.api.ReservationType;

/**
 * A PERSISTENT RESERVE OUT request as the admin commands send it: one service action, LU scope and
 * the basic 24-byte parameter list (SPC-4 6.17.3): reservation key, service action reservation key,
 * obsolete scope address, then SPEC_I_PT (never set here), ALL_TG_PT and APTPL.
 *
 * @param type the reservation type, null for the service actions that take none
 */
record PrOutRequest(PrOutAction action, ReservationType type, long key, long serviceActionKey, boolean aptpl,
        boolean allTargetPorts) {
    static final int PARAMETER_LIST_LENGTH = 24;
    /** The codes and short names of the reservation types, for help texts (a constant: annotations take it). */
    static final String TYPE_CODES = "1 wr_ex, 3 ex_ac, 5 wr_ex_ro, 6 ex_ac_ro, 7 wr_ex_ar, 8 ex_ac_ar";

    private static final int ALL_TG_PT = 0x04;
    private static final int APTPL = 0x01;

    PrRequest toRequest() {
        PrRequest request = DeviceCommand.request(PrRequest.OPCODE_PR_OUT, action.code(), PARAMETER_LIST_LENGTH);
        // Scope LU (0) in bits 4-7.
        request.cdb()[2] = (byte) (type == null ? 0 : type.code());
        request.parameterLength(PARAMETER_LIST_LENGTH);
        byte[] p = request.parameters();
        ByteBuffer.wrap(p).putLong(0, key).putLong(8, serviceActionKey);
        p[20] = (byte) ((allTargetPorts ? ALL_TG_PT : 0) | (aptpl ? APTPL : 0));
        return request;
    }

    /** What will be sent, in words, for the confirmation question and the result line. */
    String describe() {
        StringBuilder b = new StringBuilder(PrCommands.name(PrRequest.OPCODE_PR_OUT, action.code()));
        boolean registers = action == PrOutAction.REGISTER || action == PrOutAction.REGISTER_AND_IGNORE;
        // REGISTER AND IGNORE EXISTING KEY ignores the reservation key.
        if (action != PrOutAction.REGISTER_AND_IGNORE) {
            b.append(" key ").append(Format.key(key));
        }
        if (registers) {
            b.append(serviceActionKey == 0 ? " (unregister)" : " new key " + Format.key(serviceActionKey));
        } else if (action == PrOutAction.PREEMPT || action == PrOutAction.PREEMPT_AND_ABORT) {
            b.append(" preempting ").append(Format.key(serviceActionKey));
        }
        if (type != null) {
            b.append(" type ").append(Format.type(type.code()));
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

    /** A reservation type as {@code --type} takes it: a code, a short name or a policy name. */
    static ReservationType parseType(String text) {
        ReservationType type = ReservationType.parse(text);
        if (type == null) {
            throw new IllegalArgumentException("unknown reservation type " + text + " (" + TYPE_CODES + ")");
        }
        return type;
    }
}
