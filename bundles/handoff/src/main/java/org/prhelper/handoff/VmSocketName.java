package org.prhelper.handoff;

/**
 * The name a handed-off socket is served under, from its path. libvirt puts a VM's helper socket in
 * the VM's own folder, {@code .../domain-<id>-<name>/pr-helper0.sock}, so the VM's name is what tells
 * sockets apart in logs, the audit trail and pr:sockets; any other path is named by its file.
 */
final class VmSocketName {
    private static final String LIBVIRT_FOLDER = "domain-";
    private static final String LIBVIRT_FILE = "pr-helper0.sock";

    private VmSocketName() {
    }

    static String of(String path) {
        return printable(name(path));
    }

    /** Control characters would break log lines and the one-line answer to prhelper-vm. */
    private static String printable(String name) {
        StringBuilder b = new StringBuilder(name.length());
        name.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '_' : c));
        return b.toString();
    }

    private static String name(String path) {
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        int slash = trimmed.lastIndexOf('/');
        String file = trimmed.substring(slash + 1);
        String folder = slash > 0 ? trimmed.substring(trimmed.lastIndexOf('/', slash - 1) + 1, slash) : "";
        String vm = libvirtDomain(folder);
        String stem = file.endsWith(".sock") ? file.substring(0, file.length() - ".sock".length()) : file;
        if (vm != null) {
            return file.equals(LIBVIRT_FILE) ? "vm-" + vm : "vm-" + vm + "-" + stem;
        }
        return "vm-" + (stem.isEmpty() ? "unnamed" : stem);
    }

    /** NAME of a folder domain-ID-NAME (ID digits, or -1 while libvirt has none), else null. */
    private static String libvirtDomain(String folder) {
        if (!folder.startsWith(LIBVIRT_FOLDER)) {
            return null;
        }
        String rest = folder.substring(LIBVIRT_FOLDER.length());
        int dash = rest.indexOf('-', rest.startsWith("-") ? 1 : 0);
        if (dash <= 0 || dash == rest.length() - 1) {
            return null;
        }
        String id = rest.substring(rest.startsWith("-") ? 1 : 0, dash);
        return !id.isEmpty() && id.chars().allMatch(Character::isDigit) ? rest.substring(dash + 1) : null;
    }
}
