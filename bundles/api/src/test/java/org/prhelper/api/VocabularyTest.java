package org.prhelper.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;

import org.junit.Test;

/** The SCSI vocabulary every bundle takes from here: codes, audit tokens, policy names (SPC-4). */
public class VocabularyTest {
    @Test
    public void serviceActionsAreFoundByTheirCodeAndNamedAsTheAuditLogNamesThem() {
        for (PrOutAction a : PrOutAction.values()) {
            assertEquals(a, PrOutAction.of(a.code()));
        }
        for (PrInAction a : PrInAction.values()) {
            assertEquals(a, PrInAction.of(a.code()));
        }
        assertNull(PrOutAction.of(9));
        assertNull(PrOutAction.of(-1));
        assertNull(PrInAction.of(4));
        assertEquals(List.of("REGISTER", "RESERVE", "RELEASE", "CLEAR", "PREEMPT", "PREEMPT_AND_ABORT",
                "REGISTER_AND_IGNORE", "REGISTER_AND_MOVE", "REPLACE_LOST"),
                List.of(PrOutAction.values()).stream().map(a -> PrCommands.serviceAction(PrRequest.OPCODE_PR_OUT,
                        a.code())).toList());
        assertEquals("READ_FULL_STATUS", PrCommands.serviceAction(PrRequest.OPCODE_PR_IN, 3));
        assertEquals("9", PrCommands.serviceAction(PrRequest.OPCODE_PR_OUT, 9));
        assertEquals("0", PrCommands.serviceAction(0x12, 0));
        assertEquals("PROUT REGISTER_AND_MOVE", PrCommands.name(PrRequest.OPCODE_PR_OUT, 7));
    }

    @Test
    public void theActionsThatTakeATypeAreThoseSpc4DefinesTheFieldFor() {
        assertEquals(List.of(PrOutAction.RESERVE, PrOutAction.RELEASE, PrOutAction.PREEMPT,
                PrOutAction.PREEMPT_AND_ABORT, PrOutAction.REGISTER_AND_MOVE, PrOutAction.REPLACE_LOST),
                List.of(PrOutAction.values()).stream().filter(PrOutAction::takesType).toList());
    }

    @Test
    public void reservationTypesByCodeShortNameOrPolicyName() {
        assertEquals(List.of(1, 3, 5, 6, 7, 8), List.of(ReservationType.values()).stream().map(ReservationType::code)
                .toList());
        for (int code : new int[] {0, 2, 4, 9, 15}) {
            assertNull(ReservationType.of(code));
        }
        assertEquals(ReservationType.WR_EX_RO, ReservationType.parse(" wr_ex_ro "));
        assertEquals(ReservationType.EX_AC_AR, ReservationType.parse("Exclusive-Access-All-Registrants"));
        assertEquals(ReservationType.EX_AC, ReservationType.parse("3"));
        assertNull(ReservationType.parse("03"));
        assertNull(ReservationType.parse("write_exclusive"));
    }

    @Test
    public void senseKeysHaveSpc4sNames() {
        assertEquals("ILLEGAL REQUEST", SenseCode.keyName(SenseCode.KEY_ILLEGAL_REQUEST));
        assertEquals("ABORTED COMMAND", SenseCode.keyName(SenseCode.KEY_ABORTED_COMMAND));
        assertEquals("0x0f", SenseCode.keyName(0x0F));
    }
}
