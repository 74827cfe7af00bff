package org.prhelper.itests.blackbox;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.prhelper.itests.Build;

/**
 * The programs the black-box tests run. A missing one fails the test (never skips it): CI installs
 * them, so their absence is a broken machine, and the message says which Debian package to install.
 */
final class Programs {
    private Programs() {
    }

    /** Debian's reference helper. */
    static Path qemuPrHelper() {
        return onPath("qemu-pr-helper", "qemu-system-common");
    }

    /** systemd's socket-activation tester: binds, listens, and execs the program on the first connection. */
    static Path systemdSocketActivate() {
        return onPath("systemd-socket-activate", "systemd");
    }

    /** util-linux's credential switcher, to run a client as another user. */
    static Path setpriv() {
        return onPath("setpriv", "util-linux");
    }

    /** perl-base (Essential in Debian): the tests' stand-in for libvirt's daemonizing step. */
    static Path perl() {
        return onPath("perl", "perl-base");
    }

    static Path qemuSystemX86() {
        return onPath("qemu-system-x86_64", "qemu-system-x86");
    }

    /** Our drop-in launcher in the distribution folder that failsafe names in prhelper.assembly. */
    static Path ourLauncher() {
        return inDistribution("qemu-pr-helper");
    }

    /** The per-VM helper that hands its socket to the shared agent. */
    static Path prhelperVm() {
        return inDistribution("prhelper-vm");
    }

    private static Path inDistribution(String program) {
        String assembly = Build.property("prhelper.assembly");
        Path path = Paths.get(assembly, "bin", program);
        assertTrue(path + " is missing or not executable: build the distribution first"
                + " (mvn -B install -DskipTests)", Files.isExecutable(path));
        return path;
    }

    private static Path onPath(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Paths.get(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        fail(program + " not found on PATH: install the Debian package " + debianPackage
                + " (apt-get install " + debianPackage + ")");
        throw new AssertionError("unreachable");
    }
}
