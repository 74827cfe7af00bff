package org.prhelper.api;

import java.nio.ByteBuffer;
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
 * @param user who sent it when a person did: the Karaf user of a shell command; null for socket requests
 */
public record AuditRecord(Instant time, String socket, PeerIdentity peer, DeviceIdentity device, int opcode,
        int serviceAction, int scope, int type, long reservationKey, long serviceActionKey, String decision,
        String backend, int status, int senseKey, int asc, int ascq, long latencyNanos, String user) {

    /** A record without a user, as every socket request has. */
    public AuditRecord(Instant time, String socket, PeerIdentity peer, DeviceIdentity device, int opcode,
            int serviceAction, int scope, int type, long reservationKey, long serviceActionKey, String decision,
            String backend, int status, int senseKey, int asc, int ascq, long latencyNanos) {
        this(time, socket, peer, device, opcode, serviceAction, scope, type, reservationKey, serviceActionKey,
                decision, backend, status, senseKey, asc, ascq, latencyNanos, null);
    }

    /** The record of {@code request} answered with {@code response}, whoever served it (socket or shell). */
    public static AuditRecord of(Instant time, String socket, PeerIdentity peer, DeviceIdentity device,
            PrRequest request, PrResponse response, String decision, long latencyNanos) {
        boolean out = request.isOut();
        int scopeAndType = request.cdb()[2] & 0xFF;
        SenseCode sense = SenseCode.of(response.sense());
        return new AuditRecord(time, socket, peer, device, request.opcode(), request.serviceAction(),
                out ? scopeAndType >> 4 : -1, out ? scopeAndType & 0x0F : -1,
                out ? key(request, 0) : 0, out ? key(request, 8) : 0, decision, response.backend(),
                response.status(), sense.key(), sense.asc(), sense.ascq(), latencyNanos);
    }

    /** This record as sent by {@code user}. */
    public AuditRecord withUser(String user) {
        return new AuditRecord(time, socket, peer, device, opcode, serviceAction, scope, type, reservationKey,
                serviceActionKey, decision, backend, status, senseKey, asc, ascq, latencyNanos, user);
    }

    /** The 8-byte big-endian key at {@code offset} of the parameter list; 0 if the list is shorter. */
    private static long key(PrRequest request, int offset) {
        if (request.parameterLength() < offset + 8) {
            return 0;
        }
        return ByteBuffer.wrap(request.parameters()).getLong(offset);
    }
}
