package org.prhelper.itests.paxexam;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.prhelper.itests.Poll;

/**
 * Runs pr: commands through the shell's session factory, as a console would, and reads their tables.
 * Like the console and ssh, the session runs as a logged-in Karaf user, whose roles the command ACLs
 * check: by default an administrator.
 */
final class Shell {
    private final SessionFactory sessionFactory;
    private final Subject user;

    Shell(SessionFactory sessionFactory) {
        this(sessionFactory, user("karaf", "admin", "manager", "viewer"));
    }

    Shell(SessionFactory sessionFactory, Subject user) {
        this.sessionFactory = sessionFactory;
        this.user = user;
    }

    /** A JAAS subject as Karaf's login modules make it: the user and one principal per role. */
    static Subject user(String name, String... roles) {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(name));
        for (String role : roles) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        return subject;
    }

    /** The rows of a --no-format table, split at tabs, until {@code done} accepts them. */
    List<List<String>> await(String command, Predicate<List<List<String>>> done) throws Exception {
        awaitCommands();
        return Poll.retry(Karaf.WAIT, () -> {
            List<List<String>> rows = new ArrayList<>();
            for (String line : execute(command).split("\n")) {
                if (!line.isBlank()) {
                    rows.add(List.of(line.split("\t", -1)).stream().map(String::trim).toList());
                }
            }
            assertTrue(command + " gave " + rows, done.test(rows));
            return rows;
        });
    }

    /** The first row whose first cells are {@code first}, or null. */
    static List<String> row(List<List<String>> rows, String... first) {
        return rows.stream().filter(r -> r.size() >= first.length && r.subList(0, first.length).equals(List.of(first)))
                .findFirst().orElse(null);
    }

    /**
     * The shell registers the commands when the services they use are there. First the features
     * service must have installed every boot feature: a stock Karaf installs them in the background
     * while the tests already run, and a later round of that can refresh our bundles, taking the
     * commands away for a moment after they were there.
     */
    void awaitCommands() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(Shell.class).getBundleContext();
        Duration boot = Duration.ofSeconds(120);
        Poll.await(boot, () -> context.getServiceReference(BOOT_FINISHED) != null,
                () -> "the boot features were not installed within " + boot.toSeconds() + " s (no " + BOOT_FINISHED + ")");
        Poll.retry(Karaf.WAIT, () -> execute("pr:sockets"));
    }

    /** Registered by Karaf's features service once the boot features are installed. */
    private static final String BOOT_FINISHED = "org.apache.karaf.features.BootFinished";

    String execute(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, UTF_8);
        asUser(() -> {
            Session session = sessionFactory.create(InputStream.nullInputStream(), print, print);
            try {
                return session.execute(command);
            } finally {
                session.close();
            }
        });
        return out.toString(UTF_8);
    }

    /**
     * Runs {@code command} in a console session, as on Karaf's console or over ssh, whose terminal reads
     * {@code input}; returns what it printed, questions included.
     */
    String executeOnConsole(String command, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, UTF_8);
        asUser(() -> {
            // No terminal given: the session makes a dumb one on these streams.
            Session session = sessionFactory.create(new ByteArrayInputStream(input.getBytes(UTF_8)), print, print,
                    null, UTF_8.name(), null);
            try {
                return session.execute(command);
            } finally {
                session.close();
            }
        });
        return out.toString(UTF_8);
    }

    /** A session created and run as this user: its threads inherit the subject, as under ssh. */
    <T> T asUser(PrivilegedExceptionAction<T> action) throws Exception {
        try {
            return Subject.doAs(user, action);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
