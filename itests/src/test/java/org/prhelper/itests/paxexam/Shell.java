package org.prhelper.itests.paxexam;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/** Runs pr: commands through the shell's session factory, as a console would, and reads their tables. */
final class Shell {
    /** Commands appear once their bundle's services are there; audit records follow the reply. */
    private static final long WAIT_MILLIS = 10_000;

    private final SessionFactory sessionFactory;

    Shell(SessionFactory sessionFactory) {
        this.sessionFactory = sessionFactory;
    }

    /** The rows of a --no-format table, split at tabs, until {@code done} accepts them. */
    List<List<String>> await(String command, Predicate<List<List<String>>> done) throws Exception {
        awaitCommands();
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (true) {
            List<List<String>> rows = new ArrayList<>();
            for (String line : execute(command).split("\n")) {
                if (!line.isBlank()) {
                    rows.add(List.of(line.split("\t", -1)).stream().map(String::trim).toList());
                }
            }
            if (done.test(rows) || System.nanoTime() > deadline) {
                assertTrue(command + " gave " + rows, done.test(rows));
                return rows;
            }
            Thread.sleep(100);
        }
    }

    /** The first row whose first cells are {@code first}, or null. */
    static List<String> row(List<List<String>> rows, String... first) {
        return rows.stream().filter(r -> r.size() >= first.length && r.subList(0, first.length).equals(List.of(first)))
                .findFirst().orElse(null);
    }

    /** The shell registers the commands when the services they use are there. */
    void awaitCommands() throws Exception {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (true) {
            try {
                execute("pr:sockets");
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    String execute(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, UTF_8);
        Session session = sessionFactory.create(InputStream.nullInputStream(), print, print);
        try {
            session.execute(command);
        } finally {
            session.close();
        }
        return out.toString(UTF_8);
    }
}
