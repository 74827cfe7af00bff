package org.prhelper.transport;

import java.util.Set;

/** Names of sockets in logs, the audit trail and the shell must tell sockets apart. */
final class SocketNames {
    private SocketNames() {
    }

    /** {@code name} if free, else the first free of name-2, name-3, ... */
    static String unique(String name, Set<String> taken) {
        if (!taken.contains(name)) {
            return name;
        }
        for (int i = 2;; i++) {
            String candidate = name + "-" + i;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }
}
