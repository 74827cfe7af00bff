package org.prhelper.policy;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import org.junit.Test;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

public class DecisionTest {
    @Test
    public void refusalIsCheckConditionWithFixedFormatSense() {
        PrResponse response = new PrResponse();
        response.reset();
        response.dataLength(8);
        Decision.refuse("device /dev/sdb not in allow.devices.*", SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS)
                .applyTo(response);
        assertEquals(ScsiStatus.CHECK_CONDITION, response.status());
        assertEquals(0, response.dataLength());
        byte[] sense = response.sense();
        assertEquals(0x70, sense[0]);
        assertEquals(SenseCode.KEY_ILLEGAL_REQUEST, sense[2]);
        assertEquals(0x20, sense[12]);
        assertEquals(0x02, sense[13]);
    }

    @Test
    public void busyHasNoSense() {
        PrResponse response = new PrResponse();
        response.checkCondition(SenseCode.INVALID_OPCODE);
        Decision.busy("over rateLimit").applyTo(response);
        assertEquals(ScsiStatus.BUSY, response.status());
        assertArrayEquals(new byte[PrResponse.SENSE_SIZE], response.sense());
    }

    @Test(expected = IllegalStateException.class)
    public void anAllowedRequestHasNoRefusalToApply() {
        Decision.ALLOW.applyTo(new PrResponse());
    }

    @Test
    public void auditForms() {
        assertEquals("allow", Decision.ALLOW.toString());
        assertEquals("deny: over rateLimit", Decision.busy("over rateLimit").toString());
        assertSame(null, Decision.ALLOW.rule());
    }

    @Test
    public void aDeviceRuleWithoutAnInspectorAsksForARetryInsteadOfRefusing() {
        SocketPolicy policy = SocketPolicy.parse(Fixtures.config("allow.devices.numbers", "8:16"));
        Decision d = policy.check(Fixtures.QEMU, null, Fixtures.in(0));
        assertSame(SocketPolicy.NO_INSPECTOR, d);
        assertEquals(ScsiStatus.CHECK_CONDITION, d.status());
        assertEquals(SenseCode.LUN_COMMUNICATION_FAILURE, d.sense());
        // An inspected device that cannot be identified is still refused.
        assertEquals(SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS,
                policy.check(Fixtures.QEMU, DeviceIdentity.UNKNOWN, Fixtures.in(0)).sense());
        assertSame(Decision.ALLOW, policy.check(Fixtures.QEMU, Fixtures.SDB, Fixtures.in(0)));
        // Without a device rule, no device is needed.
        assertSame(Decision.ALLOW, SocketPolicy.parse(Fixtures.config()).check(Fixtures.QEMU, null, Fixtures.in(0)));
    }
}
