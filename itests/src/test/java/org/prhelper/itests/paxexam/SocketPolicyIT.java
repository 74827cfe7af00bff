package org.prhelper.itests.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.prhelper.itests.paxexam.Karaf.DENIED_REPLY;
import static org.prhelper.itests.paxexam.Karaf.ENOTTY_REPLY;
import static org.prhelper.itests.paxexam.Karaf.READ_KEYS;
import static org.prhelper.itests.paxexam.Karaf.SOCKET_FACTORY_PID;
import static org.prhelper.itests.paxexam.Karaf.assertReadKeys;
import static org.prhelper.itests.paxexam.Karaf.awaitNoSocket;
import static org.prhelper.itests.paxexam.Karaf.awaitReply;
import static org.prhelper.itests.paxexam.Karaf.awaitSocket;
import static org.prhelper.itests.paxexam.Karaf.newSocketPath;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.prhelper.api.AuditLog;
import org.prhelper.api.AuditRecord;
import org.prhelper.itests.Build;
import org.prhelper.itests.Poll;

/**
 * Several sockets from factory configurations, each with its own policy, changed live; and the audit
 * trail of what they served. /dev/null (char 1:3) and /dev/zero (char 1:5) stand in for LUNs: SG_IO
 * fails on both alike, so what differs between sockets is only what the policy decides.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SocketPolicyIT {
    private static final String OPEN_PROPERTY = "prhelper.itest.open";
    private static final String STRICT_PROPERTY = "prhelper.itest.strict";
    private static final byte[] NO_PARAMETERS = new byte[0];

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private AuditLog auditLog;

    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        String open = newSocketPath().toString();
        String strict = newSocketPath().toString();
        return Karaf.withPrhelper(OptionUtils.combine(OptionUtils.combine(
                Karaf.socketConfig("open", "path", open),
                Karaf.socketConfig("strict", "path", strict, "allow.devices.numbers", "1:5")),
                systemProperty(OPEN_PROPERTY).value(open), systemProperty(STRICT_PROPERTY).value(strict)));
    }

    @Test
    public void eachSocketAppliesItsOwnPolicy() throws Exception {
        try (Client open = Client.connect(awaitSocket(socket(OPEN_PROPERTY)));
                Client strict = Client.connect(awaitSocket(socket(STRICT_PROPERTY)))) {
            assertReadKeys(open, "/dev/null", ENOTTY_REPLY);
            assertReadKeys(strict, "/dev/null", DENIED_REPLY);
            assertReadKeys(strict, "/dev/zero", ENOTTY_REPLY);
            // A refusal is an answer: the connection stays.
            strict.assertNothingArrives();
            assertReadKeys(strict, "/dev/null", DENIED_REPLY);
        }
    }

    @Test
    public void policyChangesApplyToTheNextRequestAndBadOnesAreIgnored() throws Exception {
        Configuration config = configuration(STRICT_PROPERTY);
        Dictionary<String, Object> original = config.getProperties();
        try (Client strict = Client.connect(awaitSocket(socket(STRICT_PROPERTY)))) {
            assertReadKeys(strict, "/dev/null", DENIED_REPLY);

            Karaf.update(config, "allow.devices.numbers", "1:3");
            awaitReply(strict, READ_KEYS, NO_PARAMETERS, "/dev/null", ENOTTY_REPLY);

            // An invalid value is refused; the policy in force stays (1:3 allowed, 1:5 not).
            Karaf.update(config, "allow.prout.types", "4");
            Thread.sleep(500);
            assertReadKeys(strict, "/dev/null", ENOTTY_REPLY);
            assertReadKeys(strict, "/dev/zero", DENIED_REPLY);
        } finally {
            config.update(original);
            // ConfigAdmin applies it asynchronously: the next test must find the original policy.
            try (Client strict = Client.connect(awaitSocket(socket(STRICT_PROPERTY)))) {
                awaitReply(strict, READ_KEYS, NO_PARAMETERS, "/dev/null", DENIED_REPLY);
            }
        }
    }

    @Test
    public void deletingASocketLeavesTheOthersConnected() throws Exception {
        Path extraPath = newSocketPath();
        Configuration extra = configurationAdmin.getFactoryConfiguration(SOCKET_FACTORY_PID, "extra", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("path", extraPath.toString());
        extra.update(props);
        try (Client open = Client.connect(awaitSocket(socket(OPEN_PROPERTY)));
                Client doomed = Client.connect(awaitSocket(extraPath))) {
            assertReadKeys(doomed, "/dev/null", ENOTTY_REPLY);
            extra.delete();
            awaitNoSocket(extraPath);
            doomed.assertClosed();
            open.assertNothingArrives();
            assertReadKeys(open, "/dev/null", ENOTTY_REPLY);
        }
    }

    @Test
    public void everyRequestIsAuditedWithItsIdentity() throws Exception {
        try (Client open = Client.connect(awaitSocket(socket(OPEN_PROPERTY)));
                Client strict = Client.connect(awaitSocket(socket(STRICT_PROPERTY)))) {
            assertReadKeys(open, "/dev/null", ENOTTY_REPLY);
            assertReadKeys(strict, "/dev/null", DENIED_REPLY);
        }
        // A request is audited just after its reply is written, so the two records may land in either
        // order (the open socket's thread can be preempted between its reply and its record).
        Poll.await(Karaf.WAIT, () -> auditLog.recent(2).stream().map(AuditRecord::socket).distinct().count() == 2,
                () -> "no audit records of both sockets' requests: " + auditLog.recent(2));
        List<AuditRecord> records = auditLog.recent(2);
        AuditRecord allowed = records.stream().filter(r -> "open".equals(r.socket())).findFirst().orElseThrow();
        AuditRecord denied = records.stream().filter(r -> "strict".equals(r.socket())).findFirst().orElseThrow();
        // The client runs inside Karaf: the peer is this very process.
        long pid = ProcessHandle.current().pid();
        assertEquals("open", allowed.socket());
        assertEquals(pid, allowed.peer().pid());
        assertEquals("/dev/null", allowed.device().path());
        assertEquals("1:3", allowed.device().numbers());
        assertEquals(0x5E, allowed.opcode());
        assertEquals("allow", allowed.decision());
        assertEquals("sgio", allowed.backend());
        assertEquals(0x02, allowed.status());
        assertEquals(0x0B, allowed.senseKey());
        assertEquals(0x06, allowed.ascq());
        assertEquals("strict", denied.socket());
        assertEquals(pid, denied.peer().pid());
        assertTrue(denied.decision(), denied.decision().startsWith("deny: "));
        assertEquals(null, denied.backend());
        assertEquals(0x05, denied.senseKey());
        assertEquals(0x20, denied.asc());
        assertEquals(0x02, denied.ascq());
    }

    private static Path socket(String property) {
        return Path.of(Build.property(property));
    }

    private Configuration configuration(String pathProperty) throws Exception {
        Configuration[] found = configurationAdmin.listConfigurations(
                "(&(service.factoryPid=" + SOCKET_FACTORY_PID + ")(path=" + Build.property(pathProperty) + "))");
        assertNotNull("a socket configuration for " + pathProperty, found);
        return found[0];
    }
}
