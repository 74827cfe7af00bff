package org.prhelper.multipath;

import static org.junit.Assert.assertEquals;

import org.junit.Test;
import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

public class PathAnswersTest {
    private static PathAnswers.Verdict of(int status, SenseCode sense) {
        PrResponse r = new PrResponse();
        r.reset();
        if (sense != null) {
            r.checkCondition(sense);
        } else {
            r.status(status);
        }
        return PathAnswers.of(r);
    }

    @Test
    public void theLogicalUnitsOwnAnswersAreFinal() {
        assertEquals(PathAnswers.Verdict.FINAL, of(ScsiStatus.GOOD, null));
        assertEquals(PathAnswers.Verdict.FINAL, of(0, SenseCode.INVALID_FIELD_IN_CDB));
    }

    @Test
    public void aUnitAttentionIsConsumedAndThePathAskedAgain() {
        assertEquals(PathAnswers.Verdict.AGAIN, of(0, new SenseCode(SenseCode.KEY_UNIT_ATTENTION, 0x2A, 0x03)));
    }

    @Test
    public void aPathThatCannotAnswerPassesToTheNext() {
        assertEquals(PathAnswers.Verdict.NEXT_PATH, of(0, SenseCode.LUN_COMMUNICATION_FAILURE));
        assertEquals(PathAnswers.Verdict.NEXT_PATH, of(0, new SenseCode(SenseCode.KEY_NOT_READY, 0x04, 0x00)));
        assertEquals(PathAnswers.Verdict.NEXT_PATH, of(ScsiStatus.BUSY, null));
        assertEquals(PathAnswers.Verdict.NEXT_PATH, of(ScsiStatus.RESERVATION_CONFLICT, null));
    }
}
