package org.prhelper.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.prhelper.api.DeviceIdentity;
import org.prhelper.api.DeviceIdentity.Kind;
import org.prhelper.api.PeerIdentity;
import org.prhelper.api.PrRequest;

/** Devices, peers, requests and account files the policy tests share. */
final class Fixtures {
    /** The NAA identifier (32 hex digits) of LUN 1. */
    static final String LUN1_HEX = "6001405ab00000000000000000000001";
    static final String LUN1 = "naa." + LUN1_HEX;
    static final String LUN2 = "naa.6001405cd00000000000000000000020";

    /** Two paths and the multipath map of LUN 1, a SCSI generic node of it, a disk of LUN 2. */
    static final DeviceIdentity SDA = new DeviceIdentity("/dev/sda", Kind.BLOCK, 8, 0, LUN1, null);
    static final DeviceIdentity SDB = new DeviceIdentity("/dev/sdb", Kind.BLOCK, 8, 16, LUN1, null);
    static final DeviceIdentity MPATH = new DeviceIdentity("/dev/dm-0", Kind.BLOCK, 253, 0, null,
            "mpath-3" + LUN1_HEX);
    static final DeviceIdentity SG = new DeviceIdentity("/dev/sg1", Kind.CHARACTER, 21, 1, LUN1, null);
    static final DeviceIdentity SDC = new DeviceIdentity("/dev/sdc", Kind.BLOCK, 8, 32, LUN2, null);
    static final DeviceIdentity T10 = new DeviceIdentity("/dev/sdd", Kind.BLOCK, 8, 48,
            "t10.ATA     QEMU HARDDISK                           QM00005", null);
    static final DeviceIdentity EUI = new DeviceIdentity("/dev/sde", Kind.BLOCK, 8, 64, "eui.0025385b71b05e3f", null);
    static final DeviceIdentity EUI_MAP = new DeviceIdentity("/dev/dm-1", Kind.BLOCK, 253, 1, null,
            "mpath-20025385b71b05e3f");
    static final DeviceIdentity ISCSI_NAME = new DeviceIdentity("/dev/sdf", Kind.BLOCK, 8, 80,
            "iqn.2003-01.org.linux-iscsi.lab:lun0", null);
    static final DeviceIdentity LVM = new DeviceIdentity("/dev/dm-2", Kind.BLOCK, 253, 2, null,
            "LVM-abcdefabcdefabcdefabcdefabcdef0123456789");
    static final DeviceIdentity FILE = new DeviceIdentity("/var/lib/images/sda", Kind.OTHER, -1, -1, null, null);

    static final PeerIdentity QEMU = new PeerIdentity(4242, 64055, 64055, "vm1");
    static final PeerIdentity USER = new PeerIdentity(555, 1000, 1000, null);
    static final PeerIdentity ROOT = new PeerIdentity(1, 0, 0, null);

    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int RELEASE = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE = 6;
    static final int REGISTER_AND_MOVE = 7;
    static final int REPLACE_LOST = 8;

    private Fixtures() {
    }

    static PrRequest in(int serviceAction) {
        PrRequest r = new PrRequest();
        r.cdb()[0] = (byte) PrRequest.OPCODE_PR_IN;
        r.cdb()[1] = (byte) serviceAction;
        return r;
    }

    /** PR OUT with LU scope (0) and this type in CDB byte 2. */
    static PrRequest out(int serviceAction, int type) {
        PrRequest r = new PrRequest();
        r.cdb()[0] = (byte) PrRequest.OPCODE_PR_OUT;
        r.cdb()[1] = (byte) serviceAction;
        r.cdb()[2] = (byte) type;
        return r;
    }

    static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** /etc/passwd and /etc/group lookalikes under {@code dir}. */
    static Accounts accounts(Path dir) throws IOException {
        Path passwd = dir.resolve("passwd");
        Path group = dir.resolve("group");
        Files.write(passwd, String.join("\n",
                "# users",
                "root:x:0:0:root:/root:/bin/bash",
                "libvirt-qemu:x:64055:108:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin",
                "+nisuser::::::",
                "alice:x:1000:1000::/home/alice:/bin/bash",
                "alice:x:2000:2000::/home/alice2:/bin/bash",
                "").getBytes(StandardCharsets.UTF_8));
        Files.write(group, String.join("\n",
                "root:x:0:",
                "kvm:x:108:libvirt-qemu",
                "libvirt-qemu:x:64055:",
                "").getBytes(StandardCharsets.UTF_8));
        return new Accounts(passwd, group);
    }
}
