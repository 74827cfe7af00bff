package org.prhelper.multipath;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Which maps multipath.conf gives a {@code reservation_key}: all of them when {@code defaults} or
 * {@code overrides} sets one, else those whose {@code multipath} section (matched by wwid) does.
 * Without one, multipathd does not register the key on a path that is reinstated after a failure,
 * and that path then fails every command under a registrants-only reservation.
 */
final class ReservationKeys {
    private boolean everyMap;
    private final Set<String> wwids = new HashSet<>();

    /** Adds the settings of one configuration file's text. */
    void parse(String text) {
        Deque<String> sections = new ArrayDeque<>();
        String wwid = null;
        boolean keyInSection = false;
        for (String raw : text.split("\n")) {
            String line = stripComment(raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (line.endsWith("{")) {
                sections.push(words[0].equals("{") ? "" : words[0]);
                if (sections.peek().equals("multipath")) {
                    wwid = null;
                    keyInSection = false;
                }
            } else if (line.equals("}")) {
                String closed = sections.isEmpty() ? "" : sections.pop();
                if (closed.equals("multipath") && keyInSection && wwid != null) {
                    wwids.add(wwid);
                }
            } else if (words[0].equals("reservation_key") && words.length > 1) {
                String where = sections.isEmpty() ? "" : sections.peek();
                if (where.equals("defaults") || where.equals("overrides")) {
                    everyMap = true;
                } else if (where.equals("multipath")) {
                    keyInSection = true;
                }
            } else if (words[0].equals("wwid") && words.length > 1 && "multipath".equals(sections.peek())) {
                wwid = unquote(words[1]);
            }
        }
    }

    /** Whether the map with this device-mapper uuid ({@code mpath-<wwid>}) has a reservation key. */
    boolean covers(String dmUuid) {
        return everyMap || (dmUuid != null && dmUuid.startsWith("mpath-") && wwids.contains(dmUuid.substring(6)));
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        int bang = line.indexOf('!');
        int cut = hash < 0 ? bang : bang < 0 ? hash : Math.min(hash, bang);
        return cut < 0 ? line : line.substring(0, cut);
    }

    private static String unquote(String word) {
        return word.length() >= 2 && word.startsWith("\"") && word.endsWith("\"")
                ? word.substring(1, word.length() - 1) : word;
    }
}
