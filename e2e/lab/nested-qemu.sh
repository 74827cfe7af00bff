#!/bin/bash
# nested-qemu.sh - run INSIDE the e2e lab guest: boot a nested (L2) QEMU/TCG guest
# (a manual tool; the e2e test of this path is e2e/guest/nested.sh) whose virtio-scsi disk is a scsi-block passthrough of an L1 SCSI disk, with
# persistent-reservation commands routed through a pr-manager-helper socket
# (i.e. the real QEMU client of qemu-pr-helper).
#
#   nested-qemu.sh [-d DEV] [-k SOCKET] [-m MiB] 'shell commands for L2'
#
# DEV defaults to $LAB_PATH0, SOCKET to /tmp/x.sock (a qemu-pr-helper must
# already listen there).  The L2 commands run with busybox sh in an initramfs
# that has sg_persist, sg_inq, sg_turs; the disk is /dev/sda there.
# Prints the L2 serial console; exits with the L2 commands' status.
set -euo pipefail
DEV=${LAB_PATH0:-/dev/sda} SOCK=/tmp/x.sock MEM=256
while getopts "d:k:m:" o; do
    case "$o" in d) DEV=$OPTARG ;; k) SOCK=$OPTARG ;; m) MEM=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
LAB_DIR=${LAB_DIR:-/tmp/prhelper-e2e}
T=$(mktemp -d /tmp/l2.XXXXXX)

# The L2 command goes into a second cpio archive appended to the base one
# (the kernel unpacks concatenated archives in order).
mkdir -p "$T/extra"
printf '%s\n' "$*" > "$T/extra/cmd.sh"
(cd "$T/extra" && echo cmd.sh | cpio --quiet -o -H newc) > "$T/extra.cpio"
cat "$LAB_DIR/initramfs-l2.cpio" "$T/extra.cpio" > "$T/initrd"

start=$(date +%s%N)
qemu-system-x86_64 -accel tcg -machine q35 -smp 1 -m "$MEM" \
    -nodefaults -no-user-config -display none -no-reboot -serial "file:$T/console.log" \
    -kernel "$LAB_DIR/vmlinux-l2" -initrd "$T/initrd" \
    -append "$(cat "$LAB_DIR/cmdline-l2")" \
    -object pr-manager-helper,id=helper0,path="$SOCK" \
    -device virtio-scsi-pci,id=scsi0 \
    -blockdev node-name=hd,driver=raw,file.driver=host_device,file.filename="$DEV",file.pr-manager=helper0 \
    -device scsi-block,bus=scsi0.0,drive=hd
end=$(date +%s%N)
tr -d '\r' < "$T/console.log"
echo "nested-qemu: L2 wall time $(( (end - start) / 1000000000 )) s"
rc=$(sed -n 's/^L2-RC=//p' "$T/console.log" | tr -d '\r')
rm -rf "$T"
exit "${rc:-125}"
