package org.prhelper.transport;

import java.util.ArrayList;
import java.util.List;

/** The VM name in a QEMU command line: {@code -name NAME}, {@code -name guest=NAME,...}, {@code --name ...}. */
final class QemuCommandLine {
    private QemuCommandLine() {
    }

    /** The arguments of a NUL-separated {@code /proc/PID/cmdline}. */
    static List<String> arguments(byte[] cmdline, int length) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (cmdline[i] == 0) {
                args.add(new String(cmdline, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < length) {
            args.add(new String(cmdline, start, length - start, java.nio.charset.StandardCharsets.UTF_8));
        }
        return args;
    }

    /** The guest name, or null when the command line has no -name. */
    static String vmName(List<String> args) {
        for (int i = 0; i + 1 < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-name") || a.equals("--name")) {
                return guest(args.get(i + 1));
            }
        }
        return null;
    }

    /**
     * QEMU's option syntax: comma-separated key=value pairs, ",," for a literal comma, and a first
     * element without '=' standing for the implied key (here "guest").
     */
    private static String guest(String value) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',') {
                if (i + 1 < value.length() && value.charAt(i + 1) == ',') {
                    part.append(',');
                    i++;
                    continue;
                }
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.startsWith("guest=")) {
                return p.substring("guest=".length());
            }
            if (i == 0 && p.indexOf('=') < 0) {
                return p;
            }
        }
        return null;
    }
}
