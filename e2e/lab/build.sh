#!/bin/bash
# build.sh - build the artifacts of the e2e lab VM (host side, idempotent).
#
# Installs the Debian packages the lab needs when they are missing, then (re)builds two small
# initramfs archives under $LAB_DIR (default /tmp/prhelper-e2e) from Debian's busybox-static and the
# modules of Debian's linux-image-amd64:
#   initramfs.cpio.gz     L1 guest: mounts the HOST root read-only over virtio-9p with a tmpfs
#                         overlay and switch_root's into it, so every host binary is available
#   initramfs-l2.cpio     nested (L2) guest: virtio-scsi + sd + sg and sg3-utils, runs /cmd.sh
#                         (not compressed: an L2 guest unpacks it under emulation inside emulation)
# and links $LAB_DIR/vmlinuz to the newest Debian kernel that has modules, and $LAB_DIR/vmlinux-l2 to
# the same kernel's uncompressed ELF image for the nested guests.
#
# Usage: e2e/lab/build.sh [--force]
set -euo pipefail

LAB_DIR=${LAB_DIR:-/tmp/prhelper-e2e}
HERE=$(cd "$(dirname "$0")" && pwd)
FORCE=${1:-}

# ---------------------------------------------------------------- packages
# linux-image-amd64 : guest kernel + modules (scsi, target/LIO, tcm_loop, dm, 9p)
# busybox-static    : the only userland inside the initramfs archives
# multipath-tools   : multipath, multipathd, mpathpersist (inside the guest; pulls in udev, kmod)
# sg3-utils         : sg_persist, sg_turs, sg_inq (inside the guest, and in the L2 initramfs)
# qemu-system-x86   : the VM itself, and qemu-pr-helper (the reference, in qemu-system-common)
# cpio              : to pack the initramfs archives
# python3           : the suite's client runs in the guest with the host's /usr/bin/python3
# openssh-client    : ssh and ssh-keygen, for the agent's Karaf console in boot 3
# open-iscsi        : iscsid and iscsiadm, the initiator of the SAN lab (e2e/guest/san-lab.sh, boot 4)
# iproute2          : ip (the guest's lo) and tc (netem: the SAN lab's latency)
# libvirt-daemon-system, libvirt-clients: libvirtd, virtlogd and virsh (inside the guest, boot 5)
PKGS="linux-image-amd64 busybox-static multipath-tools sg3-utils qemu-system-x86 cpio python3 openssh-client open-iscsi iproute2 libvirt-daemon-system libvirt-clients"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "build.sh: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

# ---------------------------------------------------------------- kernel
# Newest Debian kernel that has both /boot/vmlinuz-* and /lib/modules/*.
KV=""
for v in $(ls /lib/modules 2>/dev/null | sort -V); do
    [ -f "/boot/vmlinuz-$v" ] && KV=$v
done
[ -n "$KV" ] || { echo "build.sh: no Debian kernel with modules found (install linux-image-amd64)" >&2; exit 1; }

mkdir -p "$LAB_DIR"

# build_initramfs NAME INIT_SCRIPT "MODULES" "BINARIES" [SUFFIX]
#   Builds $LAB_DIR/NAME-$KV.SUFFIX (cpio.gz, or cpio for an uncompressed archive): busybox-static (+ applet links), the given kernel modules with
#   their dependencies (load order in /modules.order), the given host binaries with their shared
#   libraries, and INIT_SCRIPT as /init. Skipped when up to date (stamp = hash of this script, the
#   init and $KV).
build_initramfs() {
    local name=$1 init=$2 mods=$3 bins=$4 suffix=${5:-cpio.gz} pack=cat
    local out="$LAB_DIR/$name-$KV.$suffix" stamp="$LAB_DIR/$name-$KV.stamp" want root
    [ "$suffix" = cpio ] || pack="gzip -1"
    want=$(cat "$0" "$init" | sha256sum | cut -d' ' -f1)
    if [ "$FORCE" != "--force" ] && [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "build.sh: $out is up to date"; ln -sf "$(basename "$out")" "$LAB_DIR/$name.$suffix"; return
    fi
    echo "build.sh: building $out"
    root=$(mktemp -d "$LAB_DIR/$name.XXXXXX")
    mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lower,rw,newroot,lib/modules}
    cp /bin/busybox "$root/bin/busybox"
    for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
    done
    # 'modprobe --show-depends' lists each module's dependencies first. strip drops the appended
    # signature too: a guest checks it with RSA in software, slow under emulation inside emulation
    # (the kernel does not enforce signatures; it marks itself tainted).
    : > "$root/modules.order"
    for m in $mods; do
        modprobe -S "$KV" --show-depends "$m" | awk '$1=="insmod"{print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
        cp "$ko" "$root/lib/modules/"
        strip -g "$root/lib/modules/$(basename "$ko")"
        basename "$ko" >> "$root/modules.order"
    done
    # Dynamically linked host binaries: copy them and every library ldd names.
    for b in $bins; do
        cp "$b" "$root/bin/"
        for lib in $(ldd "$b" | grep -o '/[^ ]*'); do
            mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
        done
    done
    cp "$init" "$root/init"; chmod 755 "$root/init"
    (cd "$root" && find . -print0 | cpio --quiet -0 -o -H newc | $pack) > "$out.tmp"
    mv "$out.tmp" "$out"; rm -rf "$root"
    echo "$want" > "$stamp"
    ln -sf "$(basename "$out")" "$LAB_DIR/$name.$suffix"
}

# L1 guest: just enough to mount the host root over 9p and overlay it.
build_initramfs initramfs "$HERE/initramfs-init.sh" "virtio_pci 9pnet_virtio 9p overlay" ""
# L2 (nested) guest: virtio-scsi disk + sg3-utils, no 9p, runs /cmd.sh.
build_initramfs initramfs-l2 "$HERE/initramfs-l2-init.sh" \
    "crc64_rocksoft_generic crct10dif_generic virtio_pci virtio_scsi sd_mod sg" \
    "/usr/bin/sg_persist /usr/bin/sg_inq /usr/bin/sg_turs" cpio

ln -sf "/boot/vmlinuz-$KV" "$LAB_DIR/vmlinuz"
echo "build.sh: kernel $LAB_DIR/vmlinuz -> /boot/vmlinuz-$KV"

# The nested guests boot the kernel's ELF image through its PVH entry point (QEMU loads it itself), so
# they do not decompress Debian's xz bzImage under emulation inside emulation (one QEMU in a lab
# guest run as boot 5's: 249 s to the first disk with the bzImage, 188 s with the ELF; one level of
# TCG on the host: 7.8 s before the kernel ran, 1.0 s). Without an xz payload or a PVH note the
# nested guests boot the bzImage.
if [ ! -s "$LAB_DIR/vmlinux-$KV" ]; then
    if python3 - "/boot/vmlinuz-$KV" "$LAB_DIR/vmlinux-$KV.tmp" <<'EOF'
import lzma, re, sys
image = open(sys.argv[1], 'rb').read()
start = image.find(b'\xfd7zXZ\x00')
if start < 0:
    sys.exit('no xz payload')
elf = lzma.LZMADecompressor().decompress(image[start:])
# an ELF note named "Xen" of type 18 (XEN_ELFNOTE_PHYS32_ENTRY): the PVH entry point
if elf[:4] != b'\x7fELF' or not re.search(rb'\x04\0\0\0.{4}\x12\0\0\0Xen\0', elf, re.S):
    sys.exit('no PVH entry note')
open(sys.argv[2], 'wb').write(elf)
EOF
    then
        mv "$LAB_DIR/vmlinux-$KV.tmp" "$LAB_DIR/vmlinux-$KV"
    else
        echo "build.sh: the nested guests boot the bzImage (no PVH ELF in /boot/vmlinuz-$KV)"
        rm -f "$LAB_DIR/vmlinux-$KV.tmp"
        ln -sf "/boot/vmlinuz-$KV" "$LAB_DIR/vmlinux-$KV"
    fi
fi
ln -sf "vmlinux-$KV" "$LAB_DIR/vmlinux-l2"
# The nested guests' kernel command line. Their boot under emulation inside emulation is most of
# boots 2 and 5: no crypto self-tests and no speculation mitigations in that throw-away guest (one
# level of TCG on the host: 3.9 s to the first disk, against 5.2 s without them).
echo "console=ttyS0 quiet loglevel=3 panic=-1 cryptomgr.notests=1 mitigations=off" > "$LAB_DIR/cmdline-l2"
echo "build.sh: nested guests' kernel $LAB_DIR/vmlinux-l2 -> $(readlink -f "$LAB_DIR/vmlinux-l2")"
