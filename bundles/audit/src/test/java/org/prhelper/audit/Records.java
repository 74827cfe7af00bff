package org.prhelper.audit;

import java.time.Instant;

import org.prhelper.api.AuditRecord;
import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.ScsiStatus;

/** Audit records for tests. */
final class Records {
    static final Instant TIME = Instant.parse("2026-01-02T03:04:05.678Z");
    static final PeerIdentity PEER = new PeerIdentity(1234, 107, 108, "db1");
    static final DeviceIdentity SDB = new DeviceIdentity("/dev/sdb", DeviceIdentity.Kind.BLOCK, 8, 16,
            "naa.6001405ab0000000000000000000001", null);

    private Records() {
    }

    /** A PR OUT REGISTER of key 0x1234 that the policy allowed and the device accepted. */
    static AuditRecord register() {
        return new AuditRecord(TIME, "default", PEER, SDB, 0x5F, 0x00, 0, 0, 0L, 0x1234L, "allow", "sgio",
                ScsiStatus.GOOD, 0, 0, 0, 87_400);
    }

    /** A PR IN READ KEYS whose latency field carries {@code id}, to tell records apart. */
    static AuditRecord readKeys(long id) {
        return new AuditRecord(TIME, "default", PEER, SDB, 0x5E, 0x00, -1, -1, 0L, 0L, "allow", "sgio",
                ScsiStatus.GOOD, 0, 0, 0, id);
    }
}
