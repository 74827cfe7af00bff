package org.prhelper.multipath;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of multipath.conf that decide how a PR OUT on a map is sent, as multipathd selects
 * them: a map's {@code multipath} section (matched by wwid) first, then {@code overrides}, then
 * {@code defaults}. {@code reservation_key}: without one, multipathd does not register the key on a
 * path that is reinstated after a failure, and that path then fails every command under a
 * registrants-only reservation; with {@code file}, the key lives in multipathd's prkeys file.
 * {@code all_tg_pt}: a registration then goes down one path per host only.
 */
final class ReservationKeys {
    private static final String KEY = "reservation_key";
    private static final String ALL_TG_PT = "all_tg_pt";

    private final Map<String, String> defaults = new HashMap<>();
    private final Map<String, String> overrides = new HashMap<>();
    private final Map<String, Map<String, String>> maps = new HashMap<>();
    /** A device section's all_tg_pt: hardware entries are not matched here, so any "yes" counts for all. */
    private boolean allTgPtForSomeDevice;

    /** Adds the settings of one configuration file's text; later files override earlier ones. */
    void parse(String text) {
        Deque<String> sections = new ArrayDeque<>();
        String wwid = null;
        Map<String, String> section = new HashMap<>();
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
                    section = new HashMap<>();
                }
            } else if (line.equals("}")) {
                String closed = sections.isEmpty() ? "" : sections.pop();
                if (closed.equals("multipath") && wwid != null) {
                    maps.computeIfAbsent(wwid, w -> new HashMap<>()).putAll(section);
                }
            } else if (words.length > 1) {
                String where = sections.isEmpty() ? "" : sections.peek();
                String name = words[0];
                String value = unquote(words[1]);
                if (name.equals("wwid") && where.equals("multipath")) {
                    wwid = value;
                } else if (name.equals(KEY) || name.equals(ALL_TG_PT)) {
                    switch (where) {
                        case "defaults" -> defaults.put(name, value);
                        case "overrides" -> overrides.put(name, value);
                        case "multipath" -> section.put(name, value);
                        case "device" -> allTgPtForSomeDevice |= name.equals(ALL_TG_PT) && value.equals("yes");
                        default -> { } // blacklist and the like set nothing
                    }
                }
            }
        }
    }

    /** Whether the map with this device-mapper uuid ({@code mpath-<wwid>}) has a reservation key. */
    boolean covers(String dmUuid) {
        return selected(dmUuid, KEY) != null;
    }

    /** Whether the map's key is kept in multipathd's prkeys file ({@code reservation_key file}). */
    boolean inPrkeysFile(String dmUuid) {
        return "file".equals(selected(dmUuid, KEY));
    }

    /** Whether a registration on the map may go to one path per host only ({@code all_tg_pt yes}). */
    boolean allTargetPorts(String dmUuid) {
        return allTgPtForSomeDevice || "yes".equals(selected(dmUuid, ALL_TG_PT));
    }

    private String selected(String dmUuid, String name) {
        if (dmUuid == null || !dmUuid.startsWith("mpath-")) {
            return null;
        }
        Map<String, String> map = maps.get(dmUuid.substring(6));
        if (map != null && map.containsKey(name)) {
            return map.get(name);
        }
        return overrides.containsKey(name) ? overrides.get(name) : defaults.get(name);
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
