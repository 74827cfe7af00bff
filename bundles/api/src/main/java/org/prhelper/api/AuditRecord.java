package org.prhelper.api;

import java.time.Instant;

/**
 * One request as it was served: when, on which socket, for whom, on which device, what it asked
 * (opcode, service action, scope/type and, for PR OUT, the reservation and service-action keys),
 * what the policy decided, which backend ran it, the answer and how long it took.
 *
 * @param decision {@code allow}, or {@code deny: <rule>} when the socket's policy refused it
 * @param backend the backend that executed it, or null when none did
 * @param scope PR OUT scope (CDB byte 2, bits 4-7); -1 for PR IN
 * @param type PR OUT reservation type (CDB byte 2, bits 0-3); -1 for PR IN
 * @param reservationKey PR OUT parameter bytes 0-7; 0 for PR IN
 * @param serviceActionKey PR OUT parameter bytes 8-15; 0 for PR IN
 */
public record AuditRecord(Instant time, String socket, PeerIdentity peer, DeviceIdentity device, int opcode,
        int serviceAction, int scope, int type, long reservationKey, long serviceActionKey, String decision,
        String backend, int status, int senseKey, int asc, int ascq, long latencyNanos) {
}
