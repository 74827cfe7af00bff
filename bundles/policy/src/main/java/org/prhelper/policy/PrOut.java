package org.prhelper.policy;

import java.util.Locale;

/** PERSISTENT RESERVE OUT service actions and reservation types by number and name (SPC-4). */
final class PrOut {
    /** Service action names, indexed by number (CDB byte 1, bits 0-4). */
    static final String[] ACTIONS = {
        "register", "reserve", "release", "clear", "preempt", "preempt-and-abort",
        "register-and-ignore-existing-key", "register-and-move", "replace-lost-reservation",
    };

    /** Reservation type names, indexed by number (CDB byte 2, bits 0-3); null where SPC-4 defines none. */
    static final String[] TYPES = {
        null, "write-exclusive", null, "exclusive-access", null, "write-exclusive-registrants-only",
        "exclusive-access-registrants-only", "write-exclusive-all-registrants", "exclusive-access-all-registrants",
    };

    /**
     * The service actions whose TYPE field SPC-4 defines (RESERVE, RELEASE, PREEMPT, PREEMPT AND ABORT,
     * REGISTER AND MOVE, REPLACE LOST RESERVATION): each creates, moves or removes a reservation of that
     * type. The others ignore the field.
     */
    static final int TYPED_ACTIONS = 1 << 1 | 1 << 2 | 1 << 4 | 1 << 5 | 1 << 7 | 1 << 8;

    static final String ACTION_CHOICES = "not a PR OUT service action (0..8 or " + String.join(", ", ACTIONS) + ")";
    static final String TYPE_CHOICES = "not a reservation type (1, 3, 5, 6, 7, 8)";

    private PrOut() {
    }

    /** The number of a service action given by number or name; -1 if it is neither. */
    static int action(String item) {
        return lookup(ACTIONS, item);
    }

    /** The number of a reservation type given by number or name; -1 if it is neither. */
    static int type(String item) {
        return lookup(TYPES, item);
    }

    /** Names compare ignoring case, with '_' or blanks accepted for '-'. */
    private static int lookup(String[] names, String item) {
        String name = item.toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null && (names[i].equals(name) || Integer.toString(i).equals(name))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code 3 (clear)}, or the bare number for a service action or type with no name. */
    static String describe(String[] names, int value) {
        return value < names.length && names[value] != null ? value + " (" + names[value] + ")" : Integer.toString(value);
    }
}
