package org.prhelper.shell;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.prhelper.api.ReservationType;

/**
 * PERSISTENT RESERVE IN parameter data (SPC-4 6.16) and transport IDs (SPC-4 7.6.4) as values the
 * commands show. Plain Java, so every field and every malformed or truncated layout is unit-tested
 * without a device. The data comes from a device: nothing in it is trusted to be well formed.
 */
final class PrData {
    /** REPORT CAPABILITIES parameter data is 8 bytes. */
    static final int CAPABILITIES_LENGTH = 8;
    /** Header of READ KEYS, READ RESERVATION and READ FULL STATUS: generation and additional length. */
    static final int HEADER_LENGTH = 8;
    /** The fixed part of a full status descriptor, before its transport ID. */
    static final int STATUS_DESCRIPTOR_LENGTH = 24;

    private static final int PROTOCOL_FC = 0;
    private static final int PROTOCOL_ISCSI = 5;
    private static final int PROTOCOL_SAS = 6;
    private static final String ISID_SEPARATOR = ",i,0x";

    private PrData() {
    }

    /**
     * REPORT CAPABILITIES. The type mask is empty when the device says it is not valid (TMV 0).
     *
     * @param rlrC replace lost reservation capable (SPC-5; 0 on older devices)
     * @param allowCommands the ALLOW COMMANDS field, 0..7
     */
    record Capabilities(boolean rlrC, boolean crh, boolean sipC, boolean atpC, boolean ptplC, boolean tmv,
            int allowCommands, boolean ptplA, List<ReservationType> types) {
    }

    /** One registered I_T nexus of READ FULL STATUS; scope and type count only for the holder. */
    record Registrant(long key, boolean allTargetPorts, boolean holder, int scope, int type,
            int relativeTargetPort, String transportId) {
    }

    /**
     * READ FULL STATUS: the registrants decoded, and what was wrong with the rest of the data (a
     * descriptor cut off, or more data than the reply could carry), null when nothing was.
     */
    record FullStatus(long generation, List<Registrant> registrants, String problem) {
    }

    /** READ KEYS: the PR generation and the keys, one per registered I_T nexus. */
    record Keys(long generation, List<Long> keys) {
    }

    /** READ RESERVATION: the PR generation and, when one is held, the holder's key, scope and type. */
    record Reservation(long generation, boolean held, long key, int scope, int type) {
    }

    /**
     * PR generation (4 bytes), additional length (4), then 8 bytes per key; SPC-4 6.16.2. Keys beyond
     * the data returned are left out.
     *
     * @throws IllegalArgumentException when the data is too short to hold the header
     */
    static Keys keys(byte[] data, int length) {
        if (length < HEADER_LENGTH) {
            throw new IllegalArgumentException(length + " bytes, too short for READ KEYS");
        }
        long end = Math.min(length, HEADER_LENGTH + uint32(data, 4));
        List<Long> keys = new ArrayList<>();
        for (int offset = HEADER_LENGTH; offset + 8 <= end; offset += 8) {
            keys.add(int64(data, offset));
        }
        return new Keys(uint32(data, 0), List.copyOf(keys));
    }

    /**
     * PR generation (4), additional length (4: 0 or 16), key (8), obsolete (4), reserved, scope|type;
     * SPC-4 6.16.3.
     *
     * @throws IllegalArgumentException when the data is too short to hold the header
     */
    static Reservation reservation(byte[] data, int length) {
        if (length < HEADER_LENGTH) {
            throw new IllegalArgumentException(length + " bytes, too short for READ RESERVATION");
        }
        if (uint32(data, 4) < 16 || length < 24) {
            return new Reservation(uint32(data, 0), false, 0, 0, 0);
        }
        return new Reservation(uint32(data, 0), true, int64(data, 8), (data[21] & 0xF0) >> 4, data[21] & 0x0F);
    }

    /** @throws IllegalArgumentException when the data is too short to hold capabilities */
    static Capabilities capabilities(byte[] data, int length) {
        if (length < CAPABILITIES_LENGTH) {
            throw new IllegalArgumentException(length + " bytes, too short for REPORT CAPABILITIES");
        }
        if (int16(data, 0) < CAPABILITIES_LENGTH) {
            throw new IllegalArgumentException("length field " + int16(data, 0) + ", too short for REPORT CAPABILITIES");
        }
        boolean tmv = bit(data[3], 7);
        List<ReservationType> types = new ArrayList<>();
        if (tmv) {
            // Type mask bits, SPC-4 table "Persistent Reservation Type Mask format".
            addIf(types, bit(data[4], 1), ReservationType.WR_EX);
            addIf(types, bit(data[4], 3), ReservationType.EX_AC);
            addIf(types, bit(data[4], 5), ReservationType.WR_EX_RO);
            addIf(types, bit(data[4], 6), ReservationType.EX_AC_RO);
            addIf(types, bit(data[4], 7), ReservationType.WR_EX_AR);
            addIf(types, bit(data[5], 0), ReservationType.EX_AC_AR);
        }
        return new Capabilities(bit(data[2], 7), bit(data[2], 4), bit(data[2], 3), bit(data[2], 2), bit(data[2], 0),
                tmv, (data[3] & 0x70) >> 4, bit(data[3], 0), List.copyOf(types));
    }

    /** What an ALLOW COMMANDS value says (SPC-4 table "ALLOW COMMANDS field"). */
    static String allowCommands(int value) {
        return value + switch (value) {
            case 0 -> " no information";
            case 1 -> " TEST UNIT READY allowed under WR_EX and EX_AC";
            case 2 -> " as 1; MODE SENSE, READ BUFFER and similar reads refused under WR_EX";
            case 3 -> " as 1; MODE SENSE, READ BUFFER and similar reads allowed under WR_EX";
            case 4 -> " as 3; READ DEFECT DATA refused under WR_EX";
            case 5 -> " as 3; READ DEFECT DATA allowed under WR_EX";
            default -> " reserved";
        };
    }

    /** @throws IllegalArgumentException when the data is too short to hold the header */
    static FullStatus fullStatus(byte[] data, int length) {
        if (length < HEADER_LENGTH) {
            throw new IllegalArgumentException(length + " bytes, too short for READ FULL STATUS");
        }
        long declared = uint32(data, 4);
        long end = Math.min(length, HEADER_LENGTH + declared);
        String problem = null;
        List<Registrant> registrants = new ArrayList<>();
        int offset = HEADER_LENGTH;
        while (offset < end) {
            if (end - offset < STATUS_DESCRIPTOR_LENGTH) {
                problem = "descriptor at byte " + offset + " cut off after " + (end - offset) + " bytes";
                break;
            }
            long idLength = uint32(data, offset + 20);
            if (offset + STATUS_DESCRIPTOR_LENGTH + idLength > end) {
                problem = "descriptor at byte " + offset + " cut off: its transport ID is " + idLength + " bytes, "
                        + (end - offset - STATUS_DESCRIPTOR_LENGTH) + " are there";
                break;
            }
            registrants.add(new Registrant(int64(data, offset), bit(data[offset + 12], 1), bit(data[offset + 12], 0),
                    (data[offset + 13] & 0xF0) >> 4, data[offset + 13] & 0x0F, int16(data, offset + 18),
                    transportId(data, offset + STATUS_DESCRIPTOR_LENGTH, (int) idLength)));
            offset += STATUS_DESCRIPTOR_LENGTH + (int) idLength;
        }
        if (HEADER_LENGTH + declared > length) {
            // The cause of any descriptor cut off at the end.
            problem = "the device has " + declared + " bytes of descriptors, " + (length - HEADER_LENGTH) + " were returned";
        }
        return new FullStatus(uint32(data, 0), List.copyOf(registrants), problem);
    }

    /**
     * A transport ID: {@code FC 0x<N_Port name>}, {@code iSCSI <name>} or {@code iSCSI <name>,i,0x<ISID>},
     * {@code SAS 0x<address>}; any other protocol or format, and a malformed ID, as
     * {@code protocol P format F <hex>}; an empty one as {@code none}.
     */
    static String transportId(byte[] data, int offset, int length) {
        String decoded = length < 4 ? null : switch (data[offset] & 0x0F) {
            case PROTOCOL_FC -> format(data, offset) == 0 && length >= 16
                    ? "FC 0x" + HexFormat.of().formatHex(data, offset + 8, offset + 16) : null;
            case PROTOCOL_ISCSI -> iscsiName(data, offset, length);
            case PROTOCOL_SAS -> format(data, offset) == 0 && length >= 12
                    ? "SAS 0x" + HexFormat.of().formatHex(data, offset + 4, offset + 12) : null;
            default -> null;
        };
        if (decoded != null) {
            return decoded;
        }
        return length == 0 ? "none" : "protocol " + (data[offset] & 0x0F) + " format " + format(data, offset) + " "
                + HexFormat.of().formatHex(data, offset, offset + length);
    }

    /**
     * An iSCSI transport ID's name, a null-terminated UTF-8 string after a 2-byte length: a device name
     * (format 0) or an initiator port name, the name with {@code ,i,0x} and the ISID (format 1). Null when
     * malformed, or when it holds characters that could play tricks on a terminal.
     */
    private static String iscsiName(byte[] data, int offset, int length) {
        int format = format(data, offset);
        int declared = int16(data, offset + 2);
        if (format > 1 || 4 + declared > length) {
            return null;
        }
        int end = offset + 4;
        while (end < offset + 4 + declared && data[end] != 0) {
            end++;
        }
        String name = new String(data, offset + 4, end - offset - 4, StandardCharsets.UTF_8);
        if (name.isEmpty() || !name.codePoints().allMatch(PrData::printable)) {
            return null;
        }
        int separator = name.toLowerCase(Locale.ROOT).indexOf(ISID_SEPARATOR);
        boolean hasIsid = separator > 0 && separator + ISID_SEPARATOR.length() < name.length();
        return hasIsid == (format == 1) ? "iSCSI " + name : null;
    }

    /** No control characters (C0, C1, DEL, line and paragraph separators) and no undecodable bytes. */
    private static boolean printable(int c) {
        return !Character.isISOControl(c) && c != '\u2028' && c != '\u2029' && c != '\uFFFD';
    }

    /** {@code LU}, the only scope SPC-4 still defines, else the number. */
    static String scope(int scope) {
        return scope == 0 ? "LU" : Integer.toString(scope);
    }

    static String generation(long generation) {
        return String.format("0x%08x", generation);
    }

    private static int format(byte[] data, int offset) {
        return (data[offset] & 0xC0) >> 6;
    }

    private static boolean bit(byte b, int bit) {
        return (b >> bit & 1) != 0;
    }

    private static void addIf(List<ReservationType> types, boolean set, ReservationType type) {
        if (set) {
            types.add(type);
        }
    }

    // SPC's fields are big-endian, as ByteBuffer reads by default; these name the unsigned ones.
    static int int16(byte[] b, int offset) {
        return Short.toUnsignedInt(ByteBuffer.wrap(b).getShort(offset));
    }

    static int int32(byte[] b, int offset) {
        return ByteBuffer.wrap(b).getInt(offset);
    }

    static long uint32(byte[] b, int offset) {
        return Integer.toUnsignedLong(int32(b, offset));
    }

    static long int64(byte[] b, int offset) {
        return ByteBuffer.wrap(b).getLong(offset);
    }
}
