package org.prhelper.multipath;

import org.prhelper.api.PrResponse;
import org.prhelper.api.ScsiStatus;
import org.prhelper.api.SenseCode;

/**
 * What a PR IN answer from one path of a map means for the map: the logical unit's own answer, a
 * unit attention to consume before asking that path again, or a path that cannot answer now.
 */
final class PathAnswers {
    /** Tries on one path: unit attentions queue up (a reset, a preempted registration, a change of keys). */
    static final int ATTEMPTS = 4;

    enum Verdict { FINAL, AGAIN, NEXT_PATH }

    private PathAnswers() {
    }

    static Verdict of(PrResponse response) {
        int status = response.status();
        if (status == ScsiStatus.GOOD) {
            return Verdict.FINAL;
        }
        if (status != ScsiStatus.CHECK_CONDITION) {
            return Verdict.NEXT_PATH; // BUSY, TASK SET FULL, RESERVATION CONFLICT: not the LU's answer here
        }
        int key = SenseCode.of(response.sense()).key();
        if (key == SenseCode.KEY_UNIT_ATTENTION) {
            return Verdict.AGAIN;
        }
        // The LU refused the CDB itself (a bad service action or allocation length): every path says so.
        return key == SenseCode.KEY_ILLEGAL_REQUEST ? Verdict.FINAL : Verdict.NEXT_PATH;
    }
}
