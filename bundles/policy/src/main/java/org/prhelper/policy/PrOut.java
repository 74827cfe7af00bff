package org.prhelper.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.prhelper.api.PrOutAction;
import org.prhelper.api.ReservationType;

/**
 * The policy's view of the PR OUT vocabulary (the api's {@link PrOutAction} and {@link ReservationType}):
 * names indexed by code, for the bit masks the policy keeps, and the lookup of a configured item.
 */
final class PrOut {
    /** Service action names, indexed by code. */
    static final String[] ACTIONS = Arrays.stream(PrOutAction.values()).map(PrOutAction::policyName)
            .toArray(String[]::new);
    /** Reservation type names, indexed by code (CDB byte 2, bits 0-3); null where SPC-4 defines none. */
    static final String[] TYPES = typeNames();
    /** The service actions whose TYPE field SPC-4 defines, as a mask of codes. */
    static final int TYPED_ACTIONS = Arrays.stream(PrOutAction.values()).filter(PrOutAction::takesType)
            .mapToInt(a -> 1 << a.code()).reduce(0, (a, b) -> a | b);
    static final String ACTION_CHOICES = "not a PR OUT service action (0..8 or " + String.join(", ", ACTIONS) + ")";
    static final String TYPE_CHOICES = "not a reservation type (" + Arrays.stream(ReservationType.values())
            .map(t -> Integer.toString(t.code())).collect(Collectors.joining(", ")) + ")";

    private PrOut() {
    }

    private static String[] typeNames() {
        int last = Arrays.stream(ReservationType.values()).mapToInt(ReservationType::code).max().orElse(0);
        String[] names = new String[last + 1];
        for (ReservationType t : ReservationType.values()) {
            names[t.code()] = t.policyName();
        }
        return names;
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
