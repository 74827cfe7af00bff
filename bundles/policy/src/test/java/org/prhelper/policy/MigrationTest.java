package org.prhelper.policy;

import static org.junit.Assert.assertEquals;
import static org.prhelper.policy.Fixtures.config;

import java.util.List;

import org.junit.Test;

/** Which socket policies refuse what QEMU 11's migrate-pr sends (docs/configuration.md, live migration). */
public class MigrationTest {
    private static List<String> refusals(Object... keysAndValues) {
        return SocketPolicy.parse(config(keysAndValues)).migrationRefusals();
    }

    @Test
    public void theDefaultAndDeviceOrPeerRulesRefuseNothing() {
        assertEquals(List.of(), SocketPolicy.ALLOW_ALL.migrationRefusals());
        assertEquals(List.of(), refusals("allow.devices.wwid", "naa.6001405ab00000000000000000000000",
                "allow.devices.path", "/dev/sd[ab]", "allow.peers.uid", "0"));
    }

    @Test
    public void enoughActionsTypesAndBurstRefuseNothing() {
        assertEquals(List.of(), refusals("allow.prout.actions", "register, register-and-ignore-existing-key, reserve, preempt",
                "allow.prout.types", "write-exclusive, write-exclusive-registrants-only", "rateLimit", "2", "rateBurst", "5"));
    }

    @Test
    public void readOnlyRefusesEveryPrOut() {
        assertEquals(List.of("readOnly refuses every PR OUT"), refusals("readOnly", "true"));
    }

    @Test
    public void missingActionsAreNamed() {
        assertEquals(List.of("allow.prout.actions lacks register-and-ignore-existing-key",
                "allow.prout.actions lacks preempt"), refusals("allow.prout.actions", "register, reserve, release"));
        assertEquals(List.of("allow.prout.actions lacks preempt"),
                refusals("allow.prout.actions", "register-and-ignore-existing-key, 0, 1"));
    }

    @Test
    public void typesWithoutWriteExclusiveRefuseThePreemptOfAGuestWithoutReservation() {
        assertEquals(List.of("allow.prout.types lacks write-exclusive, the type of the PREEMPT when the guest holds no "
                + "reservation"), refusals("allow.prout.types", "write-exclusive-registrants-only, 6"));
    }

    @Test
    public void aBurstBelowFiveAnswersPartOfTheSequenceBusy() {
        assertEquals(List.of("rateBurst = 4 is below the 5 requests sent at once (the rest are answered BUSY)"),
                refusals("rateLimit", "4"));
        assertEquals(List.of("rateBurst = 1 is below the 5 requests sent at once (the rest are answered BUSY)"),
                refusals("rateLimit", "100", "rateBurst", "1"));
        assertEquals(List.of(), refusals("rateLimit", "0.5", "rateBurst", "5"));
    }
}
