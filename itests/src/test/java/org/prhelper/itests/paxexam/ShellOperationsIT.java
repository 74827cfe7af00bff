package org.prhelper.itests.paxexam;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.prhelper.itests.paxexam.Karaf.ENOTTY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.SOCKET_FACTORY_PID;
import static org.prhelper.itests.paxexam.Karaf.assertReadKeys;
import static org.prhelper.itests.paxexam.Karaf.awaitSocket;
import static org.prhelper.itests.paxexam.Karaf.newSocketPath;
import static org.prhelper.itests.paxexam.Shell.row;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Job;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.prhelper.api.AgentWarnings;
import org.prhelper.api.AuditSink;
import org.prhelper.itests.Poll;

/**
 * The pr: commands for scripts and operators: --json output, pr:audit --follow under real requests,
 * the admin role for the commands that change reservations, and setup warnings in pr:status and the
 * health MBean. Two sockets, each test on its own, so the tests do not see each other's requests.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellOperationsIT {
    private static final String JSON_SOCKET = "json-it";
    private static final String JSON_PROPERTY = "prhelper.itest.json";
    private static final String FOLLOW_SOCKET = "follow-it";
    private static final String FOLLOW_PROPERTY = "prhelper.itest.follow";
    private static final String CHECK_CONDITION = "PRIN READ_KEYS on /dev/null failed: CHECK CONDITION, sense b/00/06"
            + " ABORTED COMMAND (backend sgio)";

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        Path follow = Karaf.newSocketPath();
        return OptionUtils.combine(Karaf.withShellAndSocket(JSON_SOCKET, JSON_PROPERTY),
                OptionUtils.combine(Karaf.socketConfig(FOLLOW_SOCKET, "path", follow.toString()),
                        org.ops4j.pax.exam.CoreOptions.systemProperty(FOLLOW_PROPERTY).value(follow.toString())));
    }

    private Shell shell() {
        return new Shell(sessionFactory);
    }

    @Test
    public void readCommandsPrintJson() throws Exception {
        Path path = awaitSocket(Path.of(System.getProperty(JSON_PROPERTY)));
        String pid = Long.toString(ProcessHandle.current().pid());
        try (Client client = Client.connect(path)) {
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);

            String sockets = awaitOutput("pr:sockets --json", out -> out.contains("\"requests\":2}"));
            assertTrue(sockets, sockets.startsWith("[{\"name\":"));
            assertTrue(sockets, sockets.contains("{\"name\":\"" + JSON_SOCKET + "\",\"path\":\"" + path
                    + "\",\"listening\":true,\"connections\":1,\"requests\":2}"));

            String clients = shell().execute("pr:clients --json --socket " + JSON_SOCKET).trim();
            assertTrue(clients, clients.matches("\\[\\{\"socket\":\"" + JSON_SOCKET + "\",\"client\":\"" + JSON_SOCKET
                    + "#\\d+\",\"pid\":" + pid + ",\"uid\":\\d+,\"gid\":\\d+,\"vm\":null,\"connectedSince\":\"[0-9T:.\\-]+Z\","
                    + "\"requests\":2,\"lastCommand\":\"PRIN READ_KEYS\",\"requestSince\":null}]"));

            String audit = awaitOutput("pr:audit --json --socket " + JSON_SOCKET,
                    out -> count(out, "\"socket\":\"" + JSON_SOCKET + "\"") == 2);
            assertTrue(audit, audit.startsWith("[{\"time\":\""));
            assertEquals(audit, 2, count(audit, "\"user\":null,\"pid\":" + pid + ","));
            assertEquals(audit, 2, count(audit, "\"device\":\"/dev/null\",\"deviceNumbers\":\"1:3\","));
            assertEquals(audit, 2, count(audit, "\"command\":\"PRIN READ_KEYS\",\"scope\":null,\"type\":null,"
                    + "\"key\":null,\"serviceActionKey\":null,\"decision\":\"allow\",\"backend\":\"sgio\","
                    + "\"status\":\"CHECK_CONDITION\",\"sense\":\"b/00/06\",\"latencyMicros\":"));
            assertEquals("[]", shell().execute("pr:audit --json --socket " + JSON_SOCKET + " --status GOOD").trim());

            String stats = awaitOutput("pr:stats --json", out -> out.contains("\"name\":\"" + JSON_SOCKET + "\""));
            assertTrue(stats, stats.contains("{\"scope\":\"socket\",\"name\":\"" + JSON_SOCKET + "\",\"requests\":2,"
                    + "\"good\":0,\"checkCondition\":2,\"reservationConflict\":0,\"busy\":0,\"denied\":0,\"p50Micros\":"));

            String backends = shell().execute("pr:backends --json");
            assertTrue(backends, backends.matches("(?s)\\[.*\\{\"name\":\"sgio\",\"ranking\":0,\"requests\":\\d+,\"errors\":\\d+}.*]\\s*"));

            String status = shell().execute("pr:status --json").trim();
            assertTrue(status, status.matches("\\{\"version\":\"[0-9.A-Z]+\",\"uptimeSeconds\":\\d+,\"sockets\":\\[.*\\],"
                    + "\"connections\":\\d+,\"requests\":\\d+,\"backends\":\\[.*\"sgio\".*\\],\"audit\":\\{\"records\":\\d+,"
                    + "\"denied\":0,\"notGood\":\\d+\\},\"warnings\":\\[.*\\]\\}"));
            assertTrue(status, status.contains("{\"name\":\"" + JSON_SOCKET + "\",\"listening\":true}"));
        }

        // Arguments that name nothing fail, rather than print an empty answer.
        assertFails("pr:clients --json --socket nosuch", "No socket named nosuch; configured: ");
        assertFails("pr:audit --socket nosuch", "No socket named nosuch; configured: ");
        assertFails("pr:audit --status FOO", "Unknown status FOO: GOOD, CHECK_CONDITION, BUSY, RESERVATION_CONFLICT,"
                + " TASK_SET_FULL or a status byte 0xNN");
        assertFails("pr:keys --json /dev/null", CHECK_CONDITION);
        assertFails("pr:reservation --json /nonexistent", "Cannot open /nonexistent: no such file or device");
    }

    @Test
    public void auditFollowPrintsNewRecordsUntilInterrupted() throws Exception {
        Path path = awaitSocket(Path.of(System.getProperty(FOLLOW_PROPERTY)));
        Path other = awaitSocket(Path.of(System.getProperty(JSON_PROPERTY)));
        shell().awaitCommands();
        int sinks = context.getServiceReferences(AuditSink.class, null).size();
        try (Client client = Client.connect(path); Client elsewhere = Client.connect(other)) {
            // One request before the follow starts: shown from the history, once.
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            shell().await("pr:audit --no-format --socket " + FOLLOW_SOCKET, rows -> rows.size() == 1);
            Following table = follow("pr:audit --follow --socket " + FOLLOW_SOCKET);
            Following json = follow("pr:audit -f -n 0 --json --socket " + FOLLOW_SOCKET);
            // Both print their history (the header, one line; nothing) once their sink is registered.
            table.await(lines -> lines.size() == 2);
            awaitSinks(sinks + 2, table, json);

            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            assertReadKeys(elsewhere, "/dev/null", ENOTTY_REPLY); // another socket: filtered out
            assertReadKeys(client, "/dev/null", ENOTTY_REPLY);
            List<String> lines = table.await(l -> l.size() == 4);
            assertTrue(lines.toString(), lines.get(0).startsWith("Time\tSocket\tPID\tVM\tDevice\tCommand\tDecision"));
            for (String line : lines.subList(1, 4)) {
                assertTrue(line, line.matches("\\d{4}-\\d\\d-\\d\\d [0-9:.]+\t" + FOLLOW_SOCKET + "\t\\d+\t-\t/dev/null\t"
                        + "PRIN READ_KEYS\tallow\tsgio\tCHECK_CONDITION\tb/00/06\t\\d+\t-"));
            }
            List<String> objects = json.await(l -> l.size() == 2);
            for (String object : objects) {
                assertTrue(object, object.startsWith("{\"time\":\"") && object.endsWith("}")
                        && object.contains("\"socket\":\"" + FOLLOW_SOCKET + "\""));
            }

            // Ctrl-C: the console interrupts the foreground job; both end, and take their sinks with them.
            table.interrupt();
            json.interrupt();
            table.assertEnded();
            json.assertEnded();
            // The command's own thread unregisters its sink as it ends, just after the session returned.
            awaitSinks(sinks);
            assertEquals("nothing printed twice or late", 4, table.lines().size());
            assertEquals(2, json.lines().size());
        }
    }

    @Test
    public void changingAReservationNeedsTheAdminRole() throws Exception {
        shell().awaitCommands();
        Shell viewer = new Shell(sessionFactory, Shell.user("olga", "viewer"));
        Shell admin = new Shell(sessionFactory, Shell.user("ada", "admin"));
        int before = shellRecords().size();

        for (String command : new String[] {"pr:clear --force --key 1 /dev/null",
            "pr:register --force --sa-key 1 /dev/null", "pr:reserve --force --key 1 --type 1 /dev/null",
            "pr:release --force --key 1 --type 1 /dev/null", "pr:preempt --force --key 1 --sa-key 2 --type 1 /dev/null"}) {
            // Karaf's ACL hides a command from a user without its role, as it does for its own.
            assertFails(viewer, command, "Command not found: " + command.substring(0, command.indexOf(' ')));
        }
        assertEquals("refused before anything was sent", before, shellRecords().size());
        // The reads are open to viewers: this one runs, and /dev/null answers as for QEMU.
        assertFails(viewer, "pr:keys /dev/null", CHECK_CONDITION);
        assertTrue(viewer.execute("pr:status --no-format").contains("Requests"));

        assertFails(admin, "pr:clear --force --key 1 /dev/null", "PROUT CLEAR on /dev/null failed: CHECK CONDITION,"
                + " sense b/00/06 ABORTED COMMAND (backend sgio)");
        List<List<String>> records = shellRecords();
        assertEquals(before + 1, records.size());
        List<String> record = records.get(before);
        assertEquals(List.of("shell", "PROUT CLEAR"), List.of(record.get(1), record.get(5)));
        assertEquals("the audit trail says who", "ada", record.get(11));
        String json = shell().execute("pr:audit -n 1 --json --socket shell");
        assertTrue(json, json.contains("\"socket\":\"shell\",\"user\":\"ada\","));
    }

    @Test
    public void setupWarningsShowInStatusAndHealth() throws Exception {
        shell().awaitCommands();
        String warning = "multipath map /dev/dm-7 (mpath-3600test) has no reservation_key in multipath.conf";
        ObjectName health = new ObjectName("org.prhelper:type=Health");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        assertNull(row(shell().await("pr:status --no-format", rows -> true), "Warning", warning));

        AgentWarnings provider = () -> List.of(warning);
        ServiceRegistration<AgentWarnings> registration = context.registerService(AgentWarnings.class, provider, null);
        try {
            assertNotNull(row(shell().await("pr:status --no-format", rows -> row(rows, "Warning", warning) != null),
                    "Warning", warning));
            String json = shell().execute("pr:status --json");
            assertTrue(json, json.contains("\"warnings\":[") && json.contains("\"" + warning + "\""));
            Poll.await(Karaf.WAIT, () -> List.of((String[]) server.getAttribute(health, "Warnings")).contains(warning),
                    () -> "no warning in " + health + ": " + List.of((String[]) server.getAttribute(health, "Warnings")));
        } finally {
            registration.unregister();
        }
        assertNull(row(shell().await("pr:status --no-format", rows -> row(rows, "Warning", warning) == null),
                "Warning", warning));
        assertFalse(List.of((String[]) server.getAttribute(health, "Warnings")).contains(warning));
        assertArrayEquals(new String[0], (String[]) server.getAttribute(health, "Warnings"));
    }

    @Test
    public void aSocketWhosePolicyWouldRefuseALiveMigrationIsAWarning() throws Exception {
        shell().awaitCommands();
        String warning = "socket no-migration refuses what live migration with reservations sends (QEMU 11 migrate-pr): "
                + "allow.prout.actions lacks preempt";
        Configuration config = configurationAdmin.getFactoryConfiguration(SOCKET_FACTORY_PID, "no-migration", "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("path", newSocketPath().toString());
        properties.put("allow.prout.actions", "register, register-and-ignore-existing-key, reserve, release");
        config.update(properties);
        try {
            assertNotNull(row(shell().await("pr:status --no-format", rows -> row(rows, "Warning", warning) != null),
                    "Warning", warning));
        } finally {
            config.delete();
        }
        assertNull(row(shell().await("pr:status --no-format", rows -> row(rows, "Warning", warning) == null),
                "Warning", warning));
    }

    private List<List<String>> shellRecords() throws Exception {
        return shell().await("pr:audit -n 1000000 --socket shell --no-format", rows -> true);
    }

    private void assertFails(String command, String message) throws Exception {
        assertFails(shell(), command, message);
    }

    /** Fails with {@code message}, or a message starting with it when it ends with a space. */
    private static void assertFails(Shell shell, String command, String message) throws Exception {
        try {
            shell.execute(command);
            fail(command + " succeeded");
        } catch (Exception e) {
            if (message.endsWith(" ")) {
                assertTrue(command + ": " + e.getMessage(), String.valueOf(e.getMessage()).startsWith(message));
            } else {
                assertEquals(command, message, e.getMessage());
            }
        }
    }

    private String awaitOutput(String command, Predicate<String> done) throws Exception {
        return Poll.retry(Karaf.WAIT, () -> {
            String out = shell().execute(command);
            assertTrue(command + " gave " + out, done.test(out));
            return out.trim();
        });
    }

    /** Waits for {@code count} audit sinks; a failure says what each follow printed and how it ended. */
    private void awaitSinks(int count, Following... follows) throws Exception {
        Poll.await(Karaf.WAIT, () -> context.getServiceReferences(AuditSink.class, null).size() == count, () -> {
            StringBuilder state = new StringBuilder();
            for (Following f : follows) {
                state.append("\n").append(f.describe());
            }
            return context.getServiceReferences(AuditSink.class, null).size() + " audit sinks, not " + count + state;
        });
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** A command that runs until interrupted, in a session of its own on a thread of its own. */
    private Following follow(String command) throws Exception {
        return new Following(command);
    }

    private final class Following {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final AtomicReference<Session> session = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        Following(String command) throws Exception {
            PrintStream print = new PrintStream(out, true, UTF_8);
            Shell shell = shell();
            thread = new Thread(() -> {
                try {
                    shell.asUser(() -> {
                        Session s = sessionFactory.create(InputStream.nullInputStream(), print, print);
                        session.set(s);
                        try {
                            return s.execute(command);
                        } finally {
                            s.close();
                        }
                    });
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, command);
            thread.start();
        }

        String describe() {
            return thread.getName() + ": printed " + lines() + (thread.isAlive() ? ", running" : ", ended: " + failure.get());
        }

        List<String> lines() {
            String text = out.toString(UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }

        List<String> await(Predicate<List<String>> done) throws Exception {
            // A follow that ended will print nothing more: fail at once rather than after the wait.
            Poll.await(Karaf.WAIT, () -> done.test(lines()) || !thread.isAlive(), () -> "follow printed " + lines());
            assertTrue("follow printed " + lines() + ", then ended: " + failure.get(), done.test(lines()));
            return lines();
        }

        /** What Karaf's console does on Ctrl-C: interrupt the session's foreground job. */
        void interrupt() {
            CommandSession commands = (CommandSession) session.get().get(".commandSession");
            Job job = commands.foregroundJob();
            assertNotNull("a foreground job", job);
            job.interrupt();
        }

        void assertEnded() throws InterruptedException {
            thread.join(Karaf.WAIT.toMillis());
            assertFalse("still following after the interrupt: " + lines(), thread.isAlive());
            // Gogo reports an interrupted foreground job as InterruptedException, whatever the command did.
            Throwable end = failure.get();
            assertTrue("ended with " + end, end == null || end instanceof InterruptedException);
        }
    }
}
