package org.prhelper.policy;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One configuration value as ConfigAdmin hands it over (String, String[], Collection, Boolean, a number
 * or an array of them), seen as a list of items: strings are split at commas, except inside {@code [...]}
 * and {@code {...}} so that globs such as {@code /dev/{sda,sdb}} stay whole. Blank items are dropped,
 * so a blank value has no items. Errors name the key and the value.
 */
final class ConfigValue {
    final String key;
    final String text;
    final List<String> items;
    private ConfigValue(String key, String text, List<String> items) {
        this.key = key;
        this.text = text;
        this.items = items;
    }

    static ConfigValue of(String key, Object raw) {
        List<String> parts = new ArrayList<>();
        List<String> items = new ArrayList<>();
        if (raw instanceof Collection<?> c) {
            c.forEach(o -> parts.add(String.valueOf(o)));
        } else if (raw != null && raw.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(raw); i++) {
                parts.add(String.valueOf(Array.get(raw, i)));
            }
        } else {
            parts.add(String.valueOf(raw));
        }
        for (String part : parts) {
            split(part, items);
        }
        return new ConfigValue(key, String.join(", ", parts).trim(), List.copyOf(items));
    }

    private static void split(String s, List<String> into) {
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '{') {
                depth++;
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                add(s.substring(start, i), into);
                start = i + 1;
            }
        }
        add(s.substring(start), into);
    }

    private static void add(String item, List<String> into) {
        String trimmed = item.trim();
        if (!trimmed.isEmpty()) {
            into.add(trimmed);
        }
    }

    /** A decimal number without sign in 0..max, else -1. */
    static long decimal(String s, long max) {
        if (s.isEmpty() || s.length() > 19) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /** The one item of a key that takes a single value. */
    String single() {
        if (items.size() != 1) {
            throw invalid("not a single value");
        }
        return items.get(0);
    }

    /** {@code key = 'value': reason}. */
    IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException(key + " = '" + text + "': " + reason);
    }

    /** Like {@link #invalid(String)}, naming the bad item when the value has several; reasons read "not ...". */
    IllegalArgumentException invalid(String item, String reason) {
        return items.size() == 1 && item.equals(text) ? invalid(reason) : invalid("'" + item + "' is " + reason);
    }
}
