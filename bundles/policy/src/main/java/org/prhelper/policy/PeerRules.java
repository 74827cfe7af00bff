package org.prhelper.policy;

import java.util.Arrays;
import java.util.function.Function;

import org.prhelper.api.PeerIdentity;

/**
 * The allow.peers.* rules of a socket, checked against the credentials the kernel gave for the
 * connection (SO_PEERCRED). Each kind that is set must match: uid, gid and pid are ANDed.
 */
final class PeerRules {
    /** uid_t and gid_t are unsigned 32-bit; (uid_t) -1 means "no id" to the kernel. */
    static final long MAX_ID = 0xFFFF_FFFEL;
    /** PID_MAX_LIMIT on 64-bit Linux. */
    static final long MAX_PID = 1 << 22;

    private final long[] uids;
    private final long[] gids;
    private final long[] pids;

    private PeerRules(long[] uids, long[] gids, long[] pids) {
        this.uids = uids;
        this.gids = gids;
        this.pids = pids;
    }

    /** The rules of the keys that are set (null: not set); null when none is. */
    static PeerRules parse(ConfigValue uid, ConfigValue gid, ConfigValue pid, Accounts accounts) {
        if (uid == null && gid == null && pid == null) {
            return null;
        }
        long[] uids = uid == null ? null
                : ids(uid, accounts::uid, "not a user id (0.." + MAX_ID + ") or a user in /etc/passwd");
        long[] gids = gid == null ? null
                : ids(gid, accounts::gid, "not a group id (0.." + MAX_ID + ") or a group in /etc/group");
        long[] pids = null;
        if (pid != null) {
            pids = new long[pid.items.size()];
            for (int i = 0; i < pids.length; i++) {
                String item = pid.items.get(i);
                pids[i] = ConfigValue.decimal(item, MAX_PID);
                if (pids[i] < 1) {
                    throw pid.invalid(item, "not a process id (1.." + MAX_PID + ")");
                }
            }
            Arrays.sort(pids);
        }
        return new PeerRules(uids, gids, pids);
    }

    private static long[] ids(ConfigValue value, Function<String, Long> byName, String reason) {
        long[] ids = new long[value.items.size()];
        for (int i = 0; i < ids.length; i++) {
            String item = value.items.get(i);
            long id = ConfigValue.decimal(item, MAX_ID);
            if (id < 0) {
                Long named = byName.apply(item);
                id = named == null ? -1 : named;
            }
            if (id < 0) {
                throw value.invalid(item, reason);
            }
            ids[i] = id;
        }
        Arrays.sort(ids);
        return ids;
    }

    /** The key of the first rule the peer fails, with the peer's value; null when it passes all. */
    String refusal(PeerIdentity peer) {
        if (uids != null && Arrays.binarySearch(uids, peer.uid()) < 0) {
            return "uid " + peer.uid() + " not in " + SocketPolicy.ALLOW_PEERS_UID;
        }
        if (gids != null && Arrays.binarySearch(gids, peer.gid()) < 0) {
            return "gid " + peer.gid() + " not in " + SocketPolicy.ALLOW_PEERS_GID;
        }
        if (pids != null && Arrays.binarySearch(pids, peer.pid()) < 0) {
            return "pid " + peer.pid() + " not in " + SocketPolicy.ALLOW_PEERS_PID;
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        append(b, SocketPolicy.ALLOW_PEERS_UID, uids);
        append(b, SocketPolicy.ALLOW_PEERS_GID, gids);
        append(b, SocketPolicy.ALLOW_PEERS_PID, pids);
        return b.toString();
    }

    private static void append(StringBuilder b, String key, long[] values) {
        if (values != null) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(key).append(" = ");
            for (int i = 0; i < values.length; i++) {
                b.append(i == 0 ? "" : ", ").append(values[i]);
            }
        }
    }
}
