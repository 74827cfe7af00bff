package org.prhelper.handoff;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class VmSocketNameTest {
    @Test
    public void namesALibvirtSocketAfterItsVm() {
        assertEquals("vm-web1", VmSocketName.of("/var/lib/libvirt/qemu/domain-3-web1/pr-helper0.sock"));
        assertEquals("vm-db-2", VmSocketName.of("/run/libvirt/qemu/domain-12-db-2/pr-helper0.sock"));
        assertEquals("vm-web1-pr-helper1", VmSocketName.of("/var/lib/libvirt/qemu/domain-3-web1/pr-helper1.sock"));
    }

    @Test
    public void namesAnyOtherSocketAfterItsFile() {
        assertEquals("vm-pr", VmSocketName.of("/tmp/x/pr.sock"));
        assertEquals("vm-helper", VmSocketName.of("/helper"));
        assertEquals("vm-pr-helper0", VmSocketName.of("/srv/domain-x-web/pr-helper0.sock"));
        assertEquals("vm-pr-helper0", VmSocketName.of("/srv/domain-3-/pr-helper0.sock"));
        assertEquals("vm-a_b", VmSocketName.of("/tmp/a\nb.sock"));
    }
}
