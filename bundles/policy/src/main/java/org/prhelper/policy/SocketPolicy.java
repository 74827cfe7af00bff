package org.prhelper.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrRequest;
import org.prhelper.api.SenseCode;

/**
 * What the clients of one socket may do, parsed from the socket's configuration. Keys are matched
 * ignoring case, as ConfigAdmin does; keys that are not policy keys (path, mode, ...) are ignored, but
 * an unknown key starting with {@code allow.} is an error, so that a misspelt rule cannot silently
 * allow everything. A blank value is the same as no key. Lists are comma-separated strings or arrays.
 *
 * <p>Checks, in order; the first that fails decides the reply (SPC-4 codes):
 * <ol>
 * <li>{@code allow.peers.*} and {@code allow.devices.*}: CHECK CONDITION, ILLEGAL REQUEST / ACCESS DENIED -
 * NO ACCESS RIGHTS (05/20/02), the code SPC defines for an initiator without access rights to a logical
 * unit. It is a permanent refusal of this command, not a path failure: multipath does not fail the path
 * and guests do not retry.</li>
 * <li>{@link #READ_ONLY}: a PR OUT gets ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (05/20/00), the
 * same answer as a PR OUT on a descriptor opened read-only (qemu-pr-helper's rule).</li>
 * <li>{@code allow.prout.actions}, {@code allow.prout.types}: ILLEGAL REQUEST / INVALID FIELD IN CDB
 * (05/24/00), what a device answers for a service action or type it does not support, which clustering
 * software already handles.</li>
 * <li>{@code rateLimit}: status BUSY without sense, which guests retry after a delay. Only requests that
 * passed every other rule take a token, so refused requests cannot starve allowed ones.</li>
 * </ol>
 *
 * <p>An instance belongs to one socket (its rate limit is the socket's) and is used by all of the
 * socket's connections at once: it is immutable apart from the lock-free token bucket, everything is
 * compiled when it is parsed, and an allowed request allocates nothing (except a {@code Path} to match
 * {@code allow.devices.path} globs).
 */
public final class SocketPolicy {
    /**
     * Globs (java.nio {@code PathMatcher} "glob:" syntax) matched against the path of the request's
     * descriptor, i.e. the target of {@code /proc/self/fd/N}, e.g. {@code /dev/sd[ab]}, {@code /dev/{sdb,sdc}}.
     * That is the kernel's name of the opened file with symbolic links resolved: a device opened as
     * {@code /dev/mapper/mpatha} or {@code /dev/disk/by-id/...} shows as {@code /dev/dm-N} or {@code /dev/sdX}.
     * Globs must be absolute.
     */
    public static final String ALLOW_DEVICES_PATH = "allow.devices.path";
    /**
     * Logical units by WWID, in any form Linux prints it: {@code naa.6001405ab...} (sysfs {@code device/wwid}),
     * {@code 36001405ab...} (multipath's WWID), {@code mpath-36001405ab...} (device-mapper uuid of the
     * multipath map), {@code 0x6001405ab...}; also {@code eui.}, {@code 2<eui>}, {@code t10.}, {@code 1<t10>}.
     * Case is ignored. A rule matches a device whose WWID or device-mapper uuid is that LUN, so one rule
     * allows every path of the LUN and its multipath map.
     */
    public static final String ALLOW_DEVICES_WWID = "allow.devices.wwid";
    /** Device numbers {@code MAJ:MIN} or {@code MAJ:*}, of block or character devices. */
    public static final String ALLOW_DEVICES_NUMBERS = "allow.devices.numbers";
    /**
     * PR OUT service actions allowed, by name (register, reserve, release, clear, preempt,
     * preempt-and-abort, register-and-ignore-existing-key, register-and-move, replace-lost-reservation)
     * or number 0..8. Default: all, including ones this list cannot name.
     */
    public static final String ALLOW_PROUT_ACTIONS = "allow.prout.actions";
    /**
     * Reservation types allowed, by number (1, 3, 5, 6, 7, 8) or name (write-exclusive, exclusive-access,
     * write-exclusive-registrants-only, exclusive-access-registrants-only, write-exclusive-all-registrants,
     * exclusive-access-all-registrants). Checked on the service actions whose TYPE field (CDB byte 2, bits
     * 0-3) SPC-4 defines: RESERVE, RELEASE, PREEMPT, PREEMPT AND ABORT, REGISTER AND MOVE and REPLACE LOST
     * RESERVATION. Default: all.
     */
    public static final String ALLOW_PROUT_TYPES = "allow.prout.types";
    /** {@code true}: PERSISTENT RESERVE IN only. Default {@code false}. */
    public static final String READ_ONLY = "readOnly";
    /**
     * Peer user ids (numbers, or names from /etc/passwd resolved when the configuration is parsed), from
     * SO_PEERCRED. When several allow.peers.* keys are set, the peer must match each of them.
     */
    public static final String ALLOW_PEERS_UID = "allow.peers.uid";
    /** Peer group ids (numbers, or names from /etc/group): the peer's effective gid, not its supplementary groups. */
    public static final String ALLOW_PEERS_GID = "allow.peers.gid";
    /** Peer process ids; a restarted QEMU has a new one. */
    public static final String ALLOW_PEERS_PID = "allow.peers.pid";
    /** Requests per second on this socket, all connections together (decimals allowed); 0, the default, is unlimited. */
    public static final String RATE_LIMIT = "rateLimit";
    /**
     * Requests the socket may take at once above the rate; 0, the default, means rateLimit (at least 1).
     * Unused while rateLimit is 0.
     */
    public static final String RATE_BURST = "rateBurst";

    private static final int ALL = -1;

    /** A socket without policy keys: everything is allowed. */
    public static final SocketPolicy ALLOW_ALL = new SocketPolicy(null, null, false, ALL, ALL, null, "allow all");

    /**
     * Live migration with reservations (QEMU 11, scsi-block migrate-pr): on the destination QEMU itself
     * sends READ RESERVATION, READ KEYS, REGISTER AND IGNORE EXISTING KEY with the guest's key, PREEMPT
     * of that key with the guest's reservation type (WRITE EXCLUSIVE when the guest holds none) and
     * REGISTER AND IGNORE EXISTING KEY again, at once; a failed migration makes the source PREEMPT.
     */
    static final int[] MIGRATION_ACTIONS = {6, 4};
    static final int MIGRATION_TYPE_WITHOUT_RESERVATION = 1;
    static final int MIGRATION_BURST = 5;

    static final double MAX_RATE = 1_000_000;
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]*)?|\\.[0-9]+");
    private static final List<String> KEYS = List.of(ALLOW_DEVICES_PATH, ALLOW_DEVICES_WWID, ALLOW_DEVICES_NUMBERS,
            ALLOW_PROUT_ACTIONS, ALLOW_PROUT_TYPES, READ_ONLY, ALLOW_PEERS_UID, ALLOW_PEERS_GID, ALLOW_PEERS_PID,
            RATE_LIMIT, RATE_BURST);

    /** The answer QEMU gives when it cannot reach a helper (0B/08/00): retried, unlike ACCESS DENIED. */
    static final Decision NO_INSPECTOR = Decision.refuse("device not identified: no device inspector",
            SenseCode.LUN_COMMUNICATION_FAILURE);
    /** Refusals that say nothing about the request beyond its CDB, made once. */
    private static final Decision READ_ONLY_REFUSAL =
            Decision.refuse("PR OUT on a " + READ_ONLY + " socket", SenseCode.INVALID_OPCODE);
    private static final Decision[] ACTION_REFUSALS = new Decision[32];
    private static final Decision[] TYPE_REFUSALS = new Decision[16];
    private static final Decision RATE_REFUSAL = Decision.busy("over " + RATE_LIMIT);

    static {
        for (int sa = 0; sa < ACTION_REFUSALS.length; sa++) {
            ACTION_REFUSALS[sa] = Decision.refuse("service action " + PrOut.describe(PrOut.ACTIONS, sa) + " not in "
                    + ALLOW_PROUT_ACTIONS, SenseCode.INVALID_FIELD_IN_CDB);
        }
        for (int type = 0; type < TYPE_REFUSALS.length; type++) {
            TYPE_REFUSALS[type] = Decision.refuse("type " + PrOut.describe(PrOut.TYPES, type) + " not in "
                    + ALLOW_PROUT_TYPES, SenseCode.INVALID_FIELD_IN_CDB);
        }
    }

    private final PeerRules peers;
    private final DeviceRules devices;
    private final boolean readOnly;
    /** Bit n set: service action (or type) n allowed. */
    private final int actions;
    private final int types;
    private final RateLimiter rate;
    private final String description;

    private SocketPolicy(PeerRules peers, DeviceRules devices, boolean readOnly, int actions, int types,
            RateLimiter rate, String description) {
        this.peers = peers;
        this.devices = devices;
        this.readOnly = readOnly;
        this.actions = actions;
        this.types = types;
        this.rate = rate;
        this.description = description;
    }

    /**
     * The policy in a socket's configuration (ConfigAdmin's properties: String, String[], Boolean, numbers).
     * {@link #ALLOW_ALL} when it has no rule.
     *
     * @throws IllegalArgumentException naming the key and the bad value, e.g.
     *         {@code allow.prout.types = '4': not a reservation type (1, 3, 5, 6, 7, 8)}
     */
    public static SocketPolicy parse(Map<String, ?> properties) {
        return parse(properties, Accounts.system(), System::nanoTime);
    }

    static SocketPolicy parse(Map<String, ?> properties, Accounts accounts, LongSupplier nanoClock) {
        Map<String, ConfigValue> values = new HashMap<>();
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            String key = canonicalKey(e.getKey());
            if (key == null) {
                if (e.getKey().toLowerCase(Locale.ROOT).startsWith("allow.")) {
                    throw ConfigValue.of(e.getKey(), e.getValue())
                            .invalid("not a policy key (" + String.join(", ", KEYS) + ")");
                }
            } else if (e.getValue() != null) {
                ConfigValue value = ConfigValue.of(key, e.getValue());
                if (!value.isEmpty()) {
                    values.put(key, value);
                }
            }
        }
        PeerRules peers = PeerRules.parse(values.get(ALLOW_PEERS_UID), values.get(ALLOW_PEERS_GID),
                values.get(ALLOW_PEERS_PID), accounts);
        DeviceRules devices = DeviceRules.parse(values.get(ALLOW_DEVICES_PATH), values.get(ALLOW_DEVICES_WWID),
                values.get(ALLOW_DEVICES_NUMBERS));
        int actions = mask(values.get(ALLOW_PROUT_ACTIONS), PrOut::action, PrOut.ACTION_CHOICES);
        int types = mask(values.get(ALLOW_PROUT_TYPES), PrOut::type, PrOut.TYPE_CHOICES);
        boolean readOnly = readOnly(values.get(READ_ONLY));
        double perSecond = rateLimit(values.get(RATE_LIMIT));
        int burst = rateBurst(values.get(RATE_BURST), perSecond);
        if (peers == null && devices == null && actions == ALL && types == ALL && !readOnly && perSecond == 0) {
            return ALLOW_ALL;
        }
        List<String> described = new ArrayList<>();
        if (devices != null) {
            described.add(devices.toString());
        }
        if (peers != null) {
            described.add(peers.toString());
        }
        if (readOnly) {
            described.add(READ_ONLY);
        }
        describeMask(described, ALLOW_PROUT_ACTIONS, actions, PrOut.ACTIONS);
        describeMask(described, ALLOW_PROUT_TYPES, types, PrOut.TYPES);
        RateLimiter rate = null;
        if (perSecond > 0) {
            rate = new RateLimiter(perSecond, burst, nanoClock);
            String limit = perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond) : Double.toString(perSecond);
            described.add(RATE_LIMIT + " = " + limit + "/s, " + RATE_BURST + " = " + burst);
        }
        return new SocketPolicy(peers, devices, readOnly, actions, types, rate, String.join("; ", described));
    }

    private static String canonicalKey(String key) {
        for (String known : KEYS) {
            if (known.equalsIgnoreCase(key)) {
                return known;
            }
        }
        return null;
    }

    private static int mask(ConfigValue value, ToIntFunction<String> lookup, String choices) {
        if (value == null) {
            return ALL;
        }
        int mask = 0;
        for (String item : value.items) {
            int n = lookup.applyAsInt(item);
            if (n < 0) {
                throw value.invalid(item, choices);
            }
            mask |= 1 << n;
        }
        return mask;
    }

    private static void describeMask(List<String> described, String key, int mask, String[] names) {
        if (mask != ALL) {
            List<String> allowed = new ArrayList<>();
            for (int n = 0; n < names.length; n++) {
                if ((mask & (1 << n)) != 0) {
                    allowed.add(names[n]);
                }
            }
            described.add(key + " = " + String.join(", ", allowed));
        }
    }

    private static boolean readOnly(ConfigValue value) {
        if (value == null) {
            return false;
        }
        String v = value.single();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw value.invalid("not true or false");
    }

    private static double rateLimit(ConfigValue value) {
        if (value == null) {
            return 0;
        }
        String v = value.single();
        if (DECIMAL.matcher(v).matches()) {
            double perSecond = Double.parseDouble(v);
            if (perSecond <= MAX_RATE) {
                return perSecond;
            }
        }
        throw value.invalid("not a number of requests per second, 0 (unlimited) to " + (long) MAX_RATE);
    }

    private static int rateBurst(ConfigValue value, double perSecond) {
        int byDefault = (int) Math.max(1, Math.ceil(perSecond));
        if (value == null) {
            return byDefault;
        }
        long burst = ConfigValue.decimal(value.single(), (long) MAX_RATE);
        if (burst < 0) {
            throw value.invalid("not a number of requests, 0 (same as " + RATE_LIMIT + ") to " + (long) MAX_RATE);
        }
        return burst == 0 ? byDefault : (int) burst;
    }

    /**
     * Decides one request. Never throws; a peer or device that could not be identified
     * ({@link PeerIdentity#UNKNOWN}, {@link DeviceIdentity#UNKNOWN}) fails every rule about it. A null
     * device means nobody could look (no device inspector registered, e.g. its bundle is restarting):
     * a device rule then answers {@link #NO_INSPECTOR}, which guests retry, rather than a refusal
     * that would be final for a device the rule may well allow.
     */
    public Decision check(PeerIdentity peer, DeviceIdentity device, PrRequest request) {
        if (peers != null) {
            String refusal = peers.refusal(peer == null ? PeerIdentity.UNKNOWN : peer);
            if (refusal != null) {
                return Decision.refuse("peer " + refusal, SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS);
            }
        }
        if (devices != null) {
            if (device == null) {
                return NO_INSPECTOR;
            }
            if (!devices.matches(device)) {
                return Decision.refuse("device " + describe(device) + " not in allow.devices.*", SenseCode.ACCESS_DENIED_NO_ACCESS_RIGHTS);
            }
        }
        if (request.isOut()) {
            if (readOnly) {
                return READ_ONLY_REFUSAL;
            }
            int sa = request.serviceAction();
            if ((actions & (1 << sa)) == 0) {
                return ACTION_REFUSALS[sa];
            }
            int type = request.cdb()[2] & 0x0F;
            if ((PrOut.TYPED_ACTIONS & (1 << sa)) != 0 && (types & (1 << type)) == 0) {
                return TYPE_REFUSALS[type];
            }
        }
        if (rate != null && !rate.tryAcquire()) {
            return RATE_REFUSAL;
        }
        return Decision.ALLOW;
    }

    /**
     * What in this policy refuses a request of live migration with reservations (see
     * {@link #MIGRATION_ACTIONS}), each a phrase naming the key; empty when nothing does. Device and peer
     * rules are not judged: they name this host's devices and clients, which the admin chose.
     */
    public List<String> migrationRefusals() {
        List<String> refusals = new ArrayList<>();
        if (readOnly) {
            refusals.add(READ_ONLY + " refuses every PR OUT");
        }
        for (int sa : MIGRATION_ACTIONS) {
            if ((actions & (1 << sa)) == 0) {
                refusals.add(ALLOW_PROUT_ACTIONS + " lacks " + PrOut.ACTIONS[sa]);
            }
        }
        if ((types & (1 << MIGRATION_TYPE_WITHOUT_RESERVATION)) == 0) {
            refusals.add(ALLOW_PROUT_TYPES + " lacks " + PrOut.TYPES[MIGRATION_TYPE_WITHOUT_RESERVATION]
                    + ", the type of the PREEMPT when the guest holds no reservation");
        }
        if (rate != null && rate.burst() < MIGRATION_BURST) {
            refusals.add(RATE_BURST + " = " + rate.burst() + " is below the " + MIGRATION_BURST
                    + " requests sent at once (the rest are answered BUSY)");
        }
        return refusals;
    }

    private static String describe(DeviceIdentity d) {
        String path = d.path() == null ? "(unidentified)" : d.path();
        return d.numbers() == null ? path : path + " (" + d.numbers() + ")";
    }

    /** The rules, for logs: {@code allow.devices.wwid = naa.6001405ab...; readOnly}, or {@code allow all}. */
    @Override
    public String toString() {
        return description;
    }
}
