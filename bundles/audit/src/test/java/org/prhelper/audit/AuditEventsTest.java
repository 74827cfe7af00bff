package org.prhelper.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.Test;
import org.osgi.service.event.Event;
import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.ScsiStatus;

public class AuditEventsTest {
    private static Map<String, Object> properties(Event e) {
        Map<String, Object> p = new HashMap<>();
        for (String name : e.getPropertyNames()) {
            if (!name.equals("event.topics")) {
                p.put(name, e.getProperty(name));
            }
        }
        return p;
    }

    @Test
    public void allowedRecordCarriesEveryProperty() {
        FakeEventAdmin admin = new FakeEventAdmin();
        new AuditEvents(admin).post(Records.register());
        assertEquals(1, admin.posted.size());
        Event e = admin.posted.get(0);
        assertEquals("org/prhelper/audit/ALLOWED", e.getTopic());
        Map<String, Object> expected = new HashMap<>();
        expected.put("socket", "default");
        expected.put("peer.pid", 1234L);
        expected.put("peer.uid", 107L);
        expected.put("peer.gid", 108L);
        expected.put("vm", "db1");
        expected.put("device.path", "/dev/sdb");
        expected.put("device.numbers", "8:16");
        expected.put("device.wwid", "naa.6001405ab0000000000000000000001");
        expected.put("opcode", 0x5F);
        expected.put("serviceAction", 0);
        expected.put("scope", 0);
        expected.put("type", 0);
        expected.put("reservationKey", 0L);
        expected.put("serviceActionKey", 0x1234L);
        expected.put("decision", "allow");
        expected.put("backend", "sgio");
        expected.put("status", ScsiStatus.GOOD);
        expected.put("sense.key", 0);
        expected.put("sense.asc", 0);
        expected.put("sense.ascq", 0);
        expected.put("latency.nanos", 87_400L);
        expected.put("timestamp", Records.TIME.toEpochMilli());
        assertEquals(expected, properties(e));
    }

    @Test
    public void deniedRecordGoesToDeniedTopicWithoutAbsentValues() {
        DeviceIdentity map = new DeviceIdentity("/dev/dm-0", DeviceIdentity.Kind.BLOCK, 253, 0, null, "mpath-3600");
        AuditRecord r = new AuditRecord(Records.TIME, "default", new PeerIdentity(5, 6, 7, null), map, 0x5F, 1,
                0, 5, 0xAAL, 0, "deny: device /dev/dm-0 not allowed", null, ScsiStatus.CHECK_CONDITION, 5, 0x26,
                0, 10);
        Event e = AuditEvents.event(r);
        assertEquals("org/prhelper/audit/DENIED", e.getTopic());
        assertEquals("deny: device /dev/dm-0 not allowed", e.getProperty("decision"));
        assertEquals("mpath-3600", e.getProperty("device.wwid"));
        assertEquals(0xAAL, e.getProperty("reservationKey"));
        assertEquals(5, e.getProperty("sense.key"));
        assertEquals(0x26, e.getProperty("sense.asc"));
        assertFalse(e.containsProperty("vm"));
        assertFalse(e.containsProperty("backend"));
    }

    @Test
    public void unknownIdentitiesLeaveTheirStringsOut() {
        AuditRecord r = new AuditRecord(null, "s", null, null, 0x5E, 0, -1, -1, 0, 0, null, null,
                ScsiStatus.GOOD, 0, 0, 0, 0);
        long before = System.currentTimeMillis();
        Event e = AuditEvents.event(r);
        assertEquals("a request the policy did not allow is not reported allowed", "org/prhelper/audit/DENIED",
                e.getTopic());
        for (String absent : new String[] {"vm", "device.path", "device.numbers", "device.wwid", "decision",
            "backend", "user"}) {
            assertFalse(absent, e.containsProperty(absent));
        }
        assertEquals(-1L, e.getProperty("peer.pid"));
        assertEquals(-1, e.getProperty("scope"));
        assertTrue((Long) e.getProperty("timestamp") >= before);
    }

    @Test
    public void theShellUserIsAProperty() {
        assertEquals("admin", AuditEvents.event(Records.register().withUser("admin")).getProperty("user"));
    }
}
