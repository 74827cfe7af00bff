package org.prhelper.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * User and group names from {@code /etc/passwd} and {@code /etc/group}, each file read at most once, when
 * the first name is looked up. Accounts only NSS knows (LDAP, sssd) are not found: configure them by number.
 */
final class Accounts {
    private final Path passwd;
    private final Path group;
    private Map<String, Long> users;
    private Map<String, Long> groups;

    Accounts(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    static Accounts system() {
        return new Accounts(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /** The uid of a user name, or null. */
    Long uid(String name) {
        if (users == null) {
            users = read(passwd);
        }
        return users.get(name);
    }

    /** The gid of a group name, or null. */
    Long gid(String name) {
        if (groups == null) {
            groups = read(group);
        }
        return groups.get(name);
    }

    /** name → the number in the third field, for lines {@code name:password:number:...}; first line wins. */
    private static Map<String, Long> read(Path file) {
        Map<String, Long> ids = new HashMap<>();
        String content;
        try {
            content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ids;
        }
        for (String line : content.split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && !fields[0].isEmpty()) {
                try {
                    ids.putIfAbsent(fields[0], Long.parseLong(fields[2]));
                } catch (NumberFormatException e) {
                    // not an account line (a comment, a NIS "+" entry)
                }
            }
        }
        return ids;
    }
}
